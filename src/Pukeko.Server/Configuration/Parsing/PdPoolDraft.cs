using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>pd-pools[]</c> entry as read.</summary>
internal sealed class PdPoolDraft(string path)
{
    public string Path { get; } = path;

    public Ipv6Address? Prefix { get; set; }

    public int? PrefixLength { get; set; }

    public int? DelegatedLength { get; set; }

    public Ipv6Address? ExcludedPrefix { get; set; }

    public int? ExcludedPrefixLength { get; set; }

    public uint PoolId { get; set; }

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public List<string> ClientClasses { get; } = [];

    public IReadOnlyList<string> AdditionalClasses { get; set; } = [];

    /// <summary>The resolved pool, once the pd-pool has been checked; null if it had errors.</summary>
    public PrefixPool? Pool { get; set; }

    public string PrefixPath => ParseContext.Child(Path, "prefix");

    public string DelegatedLengthPath => ParseContext.Child(Path, "delegated-len");

    public string ExcludedPrefixPath => ParseContext.Child(Path, "excluded-prefix");
}
