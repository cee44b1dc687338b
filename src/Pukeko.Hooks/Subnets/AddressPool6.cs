using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Subnets;

/// <summary>An address pool of a subnet (<c>pools[]</c>): the addresses <see cref="First"/> to <see cref="Last"/>, both included.</summary>
public sealed class AddressPool6
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;

    /// <summary>The first address.</summary>
    public required Ipv6Address First { get; init; }

    /// <summary>The last address.</summary>
    public required Ipv6Address Last { get; init; }

    /// <summary><c>pool-id</c> (0 when not configured).</summary>
    public uint PoolId { get; init; }

    /// <summary>The pool's <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <summary><c>client-classes</c>: when not empty, only clients in one of them may use the pool.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary>True when <paramref name="address"/> is in the pool.</summary>
    /// <param name="address">An address.</param>
    /// <returns>Whether the pool holds it.</returns>
    public bool Contains(Ipv6Address address) => address >= First && address <= Last;

    /// <inheritdoc/>
    public override string ToString() => $"{First}-{Last}";
}
