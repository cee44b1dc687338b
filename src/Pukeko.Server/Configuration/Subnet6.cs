using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>A configured IPv6 subnet with every inheritable parameter already resolved (global → subnet).</summary>
internal sealed class Subnet6 : Classification.IClassGated
{
    private readonly IReadOnlyList<AddressPool> _pools = [];

    // Pools sorted by first address. The loader rejects overlapping pools, so a binary search on First finds the only
    // candidate; this keeps FindPool cheap on the packet path even for subnets with many pools.
    private readonly AddressPool[] _poolsByFirst = [];

    public required uint Id { get; init; }

    public required Ipv6Prefix Prefix { get; init; }

    public IReadOnlyList<AddressPool> Pools
    {
        get => _pools;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _pools = value;
            _poolsByFirst = [.. value.OrderBy(p => p.First)];
        }
    }

    /// <summary><c>interface</c>: the subnet is directly reachable on this interface; null when not given.</summary>
    public string? Interface { get; init; }

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    /// <summary>This subnet's <c>reservations</c>.</summary>
    public IReadOnlyList<Reservations.HostReservation> Reservations { get; init; } = [];

    /// <summary>Where reservations are looked up for clients of this subnet (inherited from global).</summary>
    public Reservations.ReservationModes ReservationModes { get; init; } = Pukeko.Server.Reservations.ReservationModes.Default;

    /// <summary><c>client-classes</c>: only packets in one of these classes may use it; empty = everyone.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>evaluate-additional-classes</c> (formerly <c>require-client-classes</c>), evaluated before options are added.</summary>
    public IReadOnlyList<string> AdditionalClasses { get; init; } = [];

    public required Lifetime ValidLifetime { get; init; }

    public required Lifetime PreferredLifetime { get; init; }

    /// <summary><c>renew-timer</c> (T1); null when not configured, then T1 is calculated or 0.</summary>
    public uint? RenewTimer { get; init; }

    /// <summary><c>rebind-timer</c> (T2); null when not configured, then T2 is calculated or 0.</summary>
    public uint? RebindTimer { get; init; }

    public bool CalculateTeeTimes { get; init; } = true;

    public double T1Percent { get; init; } = 0.5;

    public double T2Percent { get; init; } = 0.8;

    public bool RapidCommit { get; init; }

    /// <summary>The <c>ddns-*</c> parameters in force here (subnet over shared network over global).</summary>
    public DdnsParameters Ddns { get; init; } = DdnsParameters.Default;

    /// <summary><c>pd-pools</c>, in configuration order.</summary>
    public IReadOnlyList<PrefixPool> PdPools { get; init; } = [];

    /// <summary><c>interface-id</c> (inherited from the shared network): the relay's Interface-ID option bytes; null when not set.</summary>
    public byte[]? InterfaceId { get; init; }

    /// <summary><c>relay.ip-addresses</c> of the subnet itself (the shared network's are checked separately, as Kea does).</summary>
    public IReadOnlyList<Ipv6Address> RelayAddresses { get; init; } = [];

    /// <summary>The shared network this subnet belongs to, or null. Set once while the configuration is built.</summary>
    public SharedNetwork6? SharedNetwork { get; internal set; }

    /// <summary>This subnet as a one-member list: the candidates of a subnet outside any shared network, made once, not per packet.</summary>
    public IReadOnlyList<Subnet6> Alone => _alone ??= [this];

    private Subnet6[]? _alone;

    /// <summary><c>allocator</c> for addresses (inherited global → shared network → subnet).</summary>
    public AllocatorKind Allocator { get; init; }

    /// <summary><c>pd-allocator</c> for prefixes.</summary>
    public AllocatorKind PdAllocator { get; init; }

    /// <summary><c>cache-threshold</c>: fraction of the valid lifetime within which a renewal reuses the lease unchanged; 0 disables.</summary>
    public double CacheThreshold { get; init; } = 0.25;

    /// <summary><c>cache-max-age</c> in seconds; null when not configured.</summary>
    public uint? CacheMaxAge { get; init; }

    /// <summary><c>store-extended-info</c>: leases given to relayed clients keep the relays' information in their user context.</summary>
    public bool StoreExtendedInfo { get; init; }

    /// <summary>
    /// Kea's <c>clientSupported</c>: the subnet's <c>client-classes</c>, and its shared network's, each allow the
    /// packet (an empty list allows everyone).
    /// </summary>
    public bool ClientSupported(IReadOnlySet<string> classes) =>
        Classification.ClassGate.Allows(ClientClasses, classes)
        && (SharedNetwork is null || Classification.ClassGate.Allows(SharedNetwork.ClientClasses, classes));

    /// <summary>The prefix-delegation pool containing the prefix address, or null.</summary>
    public PrefixPool? FindPdPool(Ipv6Address prefix)
    {
        // By index: a foreach over the interface would allocate an enumerator per lookup (every PD lease change).
        for (var i = 0; i < PdPools.Count; i++)
        {
            if (PdPools[i].Contains(prefix))
            {
                return PdPools[i];
            }
        }

        return null;
    }

    /// <summary>The pool of the given lease type containing the address, or null.</summary>
    public ILeasePool? FindPool(Leases.LeaseType type, Ipv6Address address) =>
        type == Leases.LeaseType.PD ? FindPdPool(address) : FindPool(address);

    /// <summary>The pools serving the given lease type.</summary>
    public IReadOnlyList<ILeasePool> PoolsOf(Leases.LeaseType type) => type == Leases.LeaseType.PD ? PdPools : Pools;

    /// <summary>True when the subnet prefix contains the address (whether or not it is in a pool).</summary>
    public bool InRange(Ipv6Address address) => Prefix.Contains(address);

    /// <summary>The pool containing the address, or null.</summary>
    public AddressPool? FindPool(Ipv6Address address)
    {
        var lo = 0;
        var hi = _poolsByFirst.Length - 1;
        AddressPool? candidate = null;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_poolsByFirst[mid].First <= address)
            {
                candidate = _poolsByFirst[mid];
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return candidate is not null && candidate.Contains(address) ? candidate : null;
    }

    public override string ToString() => $"subnet {Id} {Prefix}";
}
