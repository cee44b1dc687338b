namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>shared-networks[]</c> entry as read.</summary>
internal sealed class SharedNetworkDraft(string path)
{
    public string Path { get; } = path;

    public string? Name { get; set; }

    public List<SubnetDraft> Subnets { get; } = [];

    public string? Interface { get; set; }

    public string? InterfacePath { get; set; }

    public bool? RapidCommit { get; set; }

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public IReadOnlyList<string> ClientClasses { get; set; } = [];

    public IReadOnlyList<string> AdditionalClasses { get; set; } = [];

    public TimingDraft Timing { get; } = new();

    /// <summary><c>reservations-*</c> (and the old <c>reservation-mode</c>) given here; its subnets inherit them.</summary>
    public ReservationModesDraft ReservationModes { get; } = new();

    public DdnsDraft Ddns { get; } = new();

    public LinkDraft Link { get; } = new();

    public AllocationDraft Allocation { get; } = new();

    public string NamePath => ParseContext.Child(Path, "name");
}
