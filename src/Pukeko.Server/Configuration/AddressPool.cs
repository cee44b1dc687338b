using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>An address pool (<c>pools[].pool</c>) of a subnet: an inclusive range First..Last.</summary>
internal sealed class AddressPool : ILeasePool, Classification.IClassGated
{
    public required Ipv6Address First { get; init; }

    public required Ipv6Address Last { get; init; }

    /// <summary><c>pool-id</c>; Kea writes it to the lease file and uses it for pool statistics. Default 0.</summary>
    public uint PoolId { get; init; }

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    /// <summary><c>client-classes</c>: only packets in one of these classes may use it; empty = everyone.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>evaluate-additional-classes</c> (formerly <c>require-client-classes</c>), evaluated before options are added.</summary>
    public IReadOnlyList<string> AdditionalClasses { get; init; } = [];

    /// <summary>
    /// The DDNS parameters of a pool that sets some of its own (over its subnet's); null when it sets none, so the
    /// subnet's apply (Kea's hasDdnsParameters).
    /// </summary>
    public DdnsParameters? Ddns { get; init; }

    /// <summary>Number of addresses in the pool; saturates at UInt128.MaxValue for a ::/0 pool.</summary>
    public UInt128 Capacity
    {
        get
        {
            var span = Last.Value - First.Value;
            return span == UInt128.MaxValue ? UInt128.MaxValue : span + 1;
        }
    }

    public bool Contains(Ipv6Address address) => address >= First && address <= Last;

    Ipv6Address ILeasePool.LastBlock => Last;

    byte ILeasePool.BlockLength => 128;

    Ipv6Address ILeasePool.BlockAt(UInt128 index) => First.Add(index);

    /// <summary>Kea's text form of a range pool.</summary>
    public override string ToString() => $"{First}-{Last}";
}
