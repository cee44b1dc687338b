using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Reservations;

/// <summary>
/// Lookups over all reservations of one configuration: by identifier within a subnet (or globally), and by
/// reserved address or prefix (to keep them from other clients). Subnet key 0 stands for global reservations,
/// as Kea's SUBNET_ID_GLOBAL. With <c>ip-reservations-unique</c> false several hosts may reserve one address or
/// prefix, so those lookups answer every host that reserves it, in configuration order (Kea's getAll6).
/// </summary>
internal sealed class HostReservationIndex
{
    public const uint GlobalKey = 0;

    // Keyed by the identifier's bytes: a lookup hashes and compares the caller's span, so a query allocates nothing.
    private readonly Dictionary<IdentifierKey, HostReservation> _byIdentifier = new(IdentifierComparer.Instance);
    private readonly Dictionary<IdentifierKey, HostReservation>.AlternateLookup<IdentifierProbe> _identifierLookup;
    private readonly Dictionary<(uint Subnet, Ipv6Address Address), List<HostReservation>> _byAddress = [];
    private readonly Dictionary<(uint Subnet, Ipv6Prefix Prefix), List<HostReservation>> _byPrefix = [];

    public static HostReservationIndex Empty { get; } = new([]);

    public HostReservationIndex(IEnumerable<HostReservation> reservations)
    {
        ArgumentNullException.ThrowIfNull(reservations);
        _identifierLookup = _byIdentifier.GetAlternateLookup<IdentifierProbe>();
        foreach (var host in reservations)
        {
            var subnet = host.SubnetId ?? GlobalKey;
            _byIdentifier.TryAdd(new IdentifierKey(subnet, host.IdentifierType, host.Identifier.ToArray()), host);
            foreach (var address in host.IpAddresses)
            {
                AddTo(_byAddress, (subnet, address), host);
            }

            foreach (var prefix in host.Prefixes)
            {
                AddTo(_byPrefix, (subnet, prefix), host);
            }

            Count++;
        }
    }

    // Not `[]` after a List: that would be a new List per miss.
    private static readonly IReadOnlyList<HostReservation> NoHosts = [];

    public int Count { get; }

    /// <summary>The reservation for this identifier in the subnet (<paramref name="subnetId"/> = null: global).</summary>
    public HostReservation? Find(uint? subnetId, HostIdentifierType type, ReadOnlySpan<byte> identifier) =>
        _identifierLookup.TryGetValue(new IdentifierProbe(subnetId ?? GlobalKey, type, identifier), out var host) ? host : null;

    /// <summary>Who has this address reserved in the subnet (or globally): none, one, or (non-unique) several hosts.</summary>
    public IReadOnlyList<HostReservation> FindByAddress(uint? subnetId, Ipv6Address address) =>
        _byAddress.TryGetValue((subnetId ?? GlobalKey, address), out var hosts) ? hosts : NoHosts;

    /// <summary>Who has this prefix reserved in the subnet (or globally): none, one, or (non-unique) several hosts.</summary>
    public IReadOnlyList<HostReservation> FindByPrefix(uint? subnetId, Ipv6Prefix prefix) =>
        _byPrefix.TryGetValue((subnetId ?? GlobalKey, prefix), out var hosts) ? hosts : NoHosts;

    private static void AddTo<TKey>(Dictionary<TKey, List<HostReservation>> index, TKey key, HostReservation host)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var hosts))
        {
            index[key] = hosts = new List<HostReservation>(1);
        }

        if (!hosts.Contains(host))
        {
            hosts.Add(host);
        }
    }

    private readonly record struct IdentifierKey(uint Subnet, HostIdentifierType Type, byte[] Identifier);

    /// <summary>A lookup's key over the caller's bytes.</summary>
    private readonly ref struct IdentifierProbe(uint subnet, HostIdentifierType type, ReadOnlySpan<byte> identifier)
    {
        public uint Subnet { get; } = subnet;

        public HostIdentifierType Type { get; } = type;

        public ReadOnlySpan<byte> Identifier { get; } = identifier;
    }

    private sealed class IdentifierComparer : IEqualityComparer<IdentifierKey>, IAlternateEqualityComparer<IdentifierProbe, IdentifierKey>
    {
        public static readonly IdentifierComparer Instance = new();

        public bool Equals(IdentifierKey x, IdentifierKey y) =>
            x.Subnet == y.Subnet && x.Type == y.Type && x.Identifier.AsSpan().SequenceEqual(y.Identifier);

        public int GetHashCode(IdentifierKey key) => Hash(key.Subnet, key.Type, key.Identifier);

        public bool Equals(IdentifierProbe probe, IdentifierKey key) =>
            probe.Subnet == key.Subnet && probe.Type == key.Type && probe.Identifier.SequenceEqual(key.Identifier);

        public int GetHashCode(IdentifierProbe probe) => Hash(probe.Subnet, probe.Type, probe.Identifier);

        public IdentifierKey Create(IdentifierProbe probe) => new(probe.Subnet, probe.Type, probe.Identifier.ToArray());

        private static int Hash(uint subnet, HostIdentifierType type, ReadOnlySpan<byte> identifier)
        {
            var hash = new HashCode();
            hash.Add(subnet);
            hash.Add(type);
            hash.AddBytes(identifier);
            return hash.ToHashCode();
        }
    }
}
