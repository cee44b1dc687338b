using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Subnets;

/// <summary>A prefix-delegation pool of a subnet (<c>pd-pools[]</c>): <see cref="Prefix"/> handed out in prefixes of <see cref="DelegatedLength"/>.</summary>
public sealed class PrefixPool6
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;

    /// <summary><c>prefix</c>/<c>prefix-len</c>.</summary>
    public required Ipv6Prefix Prefix { get; init; }

    /// <summary><c>delegated-len</c>.</summary>
    public required byte DelegatedLength { get; init; }

    /// <summary><c>excluded-prefix</c>/<c>excluded-prefix-len</c> (RFC 6603), or null.</summary>
    public Ipv6Prefix? ExcludedPrefix { get; init; }

    /// <summary><c>pool-id</c> (0 when not configured).</summary>
    public uint PoolId { get; init; }

    /// <summary>The pool's <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <summary><c>client-classes</c>: when not empty, only clients in one of them may use the pool.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary>True when <paramref name="prefix"/> starts inside the pool.</summary>
    /// <param name="prefix">A prefix address.</param>
    /// <returns>Whether the pool holds it.</returns>
    public bool Contains(Ipv6Address prefix) => Prefix.Contains(prefix);

    /// <inheritdoc/>
    public override string ToString() => $"{Prefix} delegated-len {DelegatedLength}";
}
