using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>subnet6[]</c> entry as read; inheritance and cross-subnet checks happen when resolving.</summary>
internal sealed class SubnetDraft(string path)
{
    public string Path { get; } = path;

    public uint? Id { get; set; }

    public Ipv6Prefix? Prefix { get; set; }

    public List<PoolDraft> Pools { get; } = [];

    public string? Interface { get; set; }

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public TimingDraft Timing { get; } = new();

    /// <summary><c>rapid-commit</c>; null when not set here (then inherited from the shared network, else false).</summary>
    public bool? RapidCommit { get; set; }

    public List<PdPoolDraft> PdPools { get; } = [];

    public LinkDraft Link { get; } = new();

    public AllocationDraft Allocation { get; } = new();

    public string? InterfacePath { get; set; }

    /// <summary>The shared network the subnet is declared in, or null for a top-level subnet.</summary>
    public SharedNetworkDraft? Network { get; set; }

    public IReadOnlyList<string> ClientClasses { get; set; } = [];

    /// <summary><c>reservations</c>, parsed when resolving (it needs the subnet's id and prefix).</summary>
    public System.Text.Json.JsonElement? Reservations { get; set; }

    public ReservationModesDraft ReservationModes { get; } = new();

    public DdnsDraft Ddns { get; } = new();

    public IReadOnlyList<string> AdditionalClasses { get; set; } = [];

    public string IdPath => ParseContext.Child(Path, "id");

    public string SubnetPath => ParseContext.Child(Path, "subnet");
}
