using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>pools[]</c> entry as read.</summary>
internal sealed class PoolDraft(string path)
{
    /// <summary>Path of the pool entry itself, e.g. <c>Dhcp6/subnet6[0]/pools[1]</c>.</summary>
    public string Path { get; } = path;

    public bool HasRange { get; set; }

    public Ipv6Address First { get; set; }

    public Ipv6Address Last { get; set; }

    /// <summary>The pool as written, for messages.</summary>
    public string Text { get; set; } = "";

    public uint PoolId { get; set; }

    public DdnsDraft Ddns { get; } = new();

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public IReadOnlyList<string> ClientClasses { get; set; } = [];

    public IReadOnlyList<string> AdditionalClasses { get; set; } = [];

    public string PoolPath => ParseContext.Child(Path, "pool");
}
