using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>
/// What the allocators need from a pool of either kind: an address pool hands out /128s, a
/// prefix-delegation pool hands out prefixes of its delegated length. Both are a run of
/// <see cref="Capacity"/> equally sized blocks starting at <see cref="First"/>, so one allocator
/// steps through both by block index.
/// </summary>
internal interface ILeasePool
{
    /// <summary><c>pool-id</c> (default 0); statistics and the lease file use it.</summary>
    uint PoolId { get; }

    /// <summary>Start of the first block.</summary>
    Ipv6Address First { get; }

    /// <summary>Start of the last block.</summary>
    Ipv6Address LastBlock { get; }

    /// <summary>Length of each handed-out block: 128 for addresses, the delegated length for prefixes.</summary>
    byte BlockLength { get; }

    /// <summary>Number of blocks; saturates at <see cref="UInt128.MaxValue"/>.</summary>
    UInt128 Capacity { get; }

    IReadOnlyList<OptionDescriptor> Options { get; }

    /// <summary>Start of block number <paramref name="index"/> (0-based).</summary>
    Ipv6Address BlockAt(UInt128 index);

    /// <summary>True when the address lies in the pool.</summary>
    bool Contains(Ipv6Address address);
}
