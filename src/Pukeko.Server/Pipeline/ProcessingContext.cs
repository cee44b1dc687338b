using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Everything one query's processing accumulates: the chosen subnet, the reply, and the leases
/// it created or removed (the future <c>leases6_committed</c> arguments).
/// </summary>
/// <remarks>
/// The pipeline takes its contexts with <see cref="Rent"/> and gives each back with <see cref="Return"/> when its
/// query's processing is over, so a worker reuses one context instead of making one per packet. That is safe
/// because a context never leaves the pipeline: callouts get the packets, leases and options it points to, never
/// the context, and <see cref="Return"/> forgets those references rather than clearing what they point to.
/// </remarks>
internal sealed class ProcessingContext
{
    // One spare per thread: a worker's packets run one after another, so one is all it reuses.
    [ThreadStatic]
    private static ProcessingContext? t_spare;

    public ProcessingContext(Dhcp6Packet query, ServerRuntime runtime, long now)
    {
        Query = query;
        Runtime = runtime;
        Now = now;
    }

    /// <summary>This thread's spare context set up for <paramref name="query"/>, or a new one.</summary>
    public static ProcessingContext Rent(Dhcp6Packet query, ServerRuntime runtime, long now)
    {
        if (t_spare is not { } ctx)
        {
            return new ProcessingContext(query, runtime, now);
        }

        t_spare = null;
        ctx.Query = query;
        ctx.Runtime = runtime;
        ctx.Now = now;
        return ctx;
    }

    /// <summary>
    /// Forgets everything about the finished query and keeps the context as this thread's spare. The caller must
    /// not touch it afterwards: the next <see cref="Rent"/> on this thread hands it to another query.
    /// <paramref name="packetsReused"/>: the query's packets went back to <see cref="PacketRecycler"/>, so the reply
    /// options this context handed out may be used again too.
    /// </summary>
    public void Return(bool packetsReused = false)
    {
        Query = null!;
        Runtime = null!;
        Now = 0;
        Response = null;
        Subnet = null;
        SelectedSubnet = null;
        _hardware = default;
        _hardwareQuery = null;
        FakeAllocation = false;
        LeaseWork = null;
        _reservedAddressesUsed = null;
        _usedPools = default;
        _reusedLeases = null;
        Handle = null;
        ResponseIa = null;
        DroppedByHook = false;
        LeaseSelectSkipped = false;
        Host = null;
        GlobalHost = null;
        SharedNetworkHosts = null;
        HostSubnet = null;
        HostClassesAfterAllocation = false;
        ReservedHostnameChanged = false;
        EarlyGlobalLookupDone = false;
        EarlyGlobalHost = null;
        Hostname = null;
        FqdnResponse = null;
        Ddns = null;
        FqdnForward = false;
        FqdnReverse = false;
        Flows = null;
        ReservationOptions = null;
        CalloutFreeTable = null;
        _leaseLists.ReturnAll();
        _hintLists.ReturnAll();
        _placedLeaseLists.ReturnAll();
        _rentedLeases.ReturnAll(keep: packetsReused);
        _replyOptions.EndQuery(packetsReused);
        t_spare = this;
    }

    // The last query's transaction, emptied, when nothing outside the pipeline could hold its changes.
    private LeaseTransaction? _spareLeaseWork;

    /// <summary>
    /// The transaction a finished query of this context left, reopened, if it writes through <paramref name="writer"/>
    /// (a reload may have replaced the store); else null.
    /// </summary>
    public LeaseTransaction? TakeSpareLeaseWork(LeaseWriter writer)
    {
        var spare = _spareLeaseWork;
        _spareLeaseWork = null;
        return spare is not null && ReferenceEquals(spare.Writer, writer) ? spare : null;
    }

    /// <summary>Keeps a finished query's disposed transaction for the next query if it can be reopened.</summary>
    public void KeepSpareLeaseWork(LeaseTransaction disposed)
    {
        if (disposed.TryReopen())
        {
            _spareLeaseWork = disposed;
        }
    }

    // Lists the query borrows per IA; kept with the context for the next query (see ListRental).
    private ListRental<Lease6> _leaseLists;
    private ListRental<Allocation.LeaseHint> _hintLists;
    private ListRental<(Lease6 Lease, Subnet6 Subnet)> _placedLeaseLists;

    /// <summary>An empty list of leases for this query's own use; it must not outlive the query.</summary>
    public List<Lease6> RentLeaseList() => _leaseLists.Rent();

    /// <summary>An empty list of lease hints for this query's own use; it must not outlive the query.</summary>
    public List<Allocation.LeaseHint> RentHintList() => _hintLists.Rent();

    /// <summary>An empty list of leases with their subnets for this query's own use; it must not outlive the query.</summary>
    public List<(Lease6 Lease, Subnet6 Subnet)> RentPlacedLeaseList() => _placedLeaseLists.Rent();

    private ReplyOptionRental _replyOptions;

    /// <summary>Where the reply's IA_NA and IA Address options come from (see <see cref="ReplyOptionRental"/>).</summary>
    public ref ReplyOptionRental ReplyOptions => ref _replyOptions;

    /// <summary>How many lists this query has borrowed (for tests).</summary>
    internal int RentedLists => _leaseLists.Rented + _hintLists.Rented + _placedLeaseLists.Rented;

    /// <summary>The query; a <c>pkt6_receive</c> or <c>subnet6_select</c> callout may replace it.</summary>
    public Dhcp6Packet Query { get; set; }

    public ServerRuntime Runtime { get; private set; }

    /// <summary>Unix seconds at the start of processing; one clock reading for the whole query.</summary>
    public long Now { get; private set; }

    public Dhcp6Packet? Response { get; set; }

    public Subnet6? Subnet { get; set; }

    /// <summary>The subnet selection chose (after <c>subnet6_select</c>), before allocation moves within its shared network.</summary>
    public Subnet6? SelectedSubnet { get; set; }

    /// <summary>The client's DUID bytes (Client-ID payload); empty for anonymous Information-Request.</summary>
    public byte[] ClientDuid
    {
        get => _rentedLeases.ClientDuid;
        set => _rentedLeases.ClientDuid = value;
    }

    private readonly LeaseRental _rentedLeases = new();

    /// <summary>Lease objects for this query's own use, and the client's arrays they share (see <see cref="LeaseRental"/>).</summary>
    public LeaseRental RentedLeases => _rentedLeases;

    private (byte[]? Address, ushort Type, uint Source) _hardware;
    private Dhcp6Packet? _hardwareQuery;

    /// <summary>
    /// The client's hardware address as <c>mac-sources</c> finds it in the query (<see cref="Allocation.HardwareAddressFinder"/>),
    /// found once per query; the leases it writes record it and share its array.
    /// </summary>
    public (byte[]? Address, ushort Type, uint Source) ClientHardwareAddress()
    {
        // A callout may replace the query before allocation; what was found in the old one does not count.
        if (!ReferenceEquals(_hardwareQuery, Query))
        {
            var found = Allocation.HardwareAddressFinder.Find(Query, ClientDuid, Runtime.Config.MacSources, stackalloc byte[Allocation.HardwareAddressFinder.ScratchLength]);
            _hardware = found.IsFound ? (_rentedLeases.SetHardwareAddress(found.Address), found.Type, found.Source) : default;
            _hardwareQuery = Query;
        }

        return _hardware;
    }

    /// <summary>True for a Solicit without Rapid Commit: leases are chosen but nothing is stored.</summary>
    public bool FakeAllocation { get; set; }

    /// <summary>The query's lease writes: opened at its first write, committed before the reply leaves.</summary>
    public LeaseTransaction? LeaseWork { get; set; }

    /// <summary>Reserved addresses already handed to an IA of this message (one reserved address per IA).</summary>
    /// <remarks>Made at first use: most clients have no reservation, and this is per packet.</remarks>
    public HashSet<Pukeko.Protocol.Addressing.Ipv6Address> ReservedAddressesUsed => _reservedAddressesUsed ??= [];

    private HashSet<Pukeko.Protocol.Addressing.Ipv6Address>? _reservedAddressesUsed;

    /// <summary>Pools that provided the leases in this reply, for pool-level options.</summary>
    public ref PoolsUsed UsedPools => ref _usedPools;

    private PoolsUsed _usedPools;

    /// <summary>Leases this reply hands out unchanged from the cache (digest §3.6): not written, not committed.</summary>
    /// <remarks>Borrowed from the context at first use (see <see cref="RentLeaseList"/>).</remarks>
    public List<Lease6> ReusedLeases => _reusedLeases ??= RentLeaseList();

    private List<Lease6>? _reusedLeases;

    /// <summary>The packet's callout handle, created at the first hook point with callouts; null when there were none.</summary>
    public CalloutHandle? Handle { get; set; }

    /// <summary>The IA option of the reply being built for the current IA (the <c>ia_na</c>/<c>ia_pd</c> argument of lease6_renew/rebind).</summary>
    public DhcpOption? ResponseIa { get; set; }

    /// <summary>A callout said DROP inside message processing (e.g. <c>lease6_decline</c>): no reply and no drop statistic.</summary>
    public bool DroppedByHook { get; set; }

    /// <summary>Set when a lease6_select callout said SKIP, so the allocator stops trying candidates in that subnet.</summary>
    internal bool LeaseSelectSkipped { get; set; }

    /// <summary>
    /// The client's current host reservation (Kea's currentHost): the reservation in the subnet serving the client,
    /// else the global one where that subnet uses global reservations. Found after subnet selection; in a shared
    /// network it follows the subnet the leases come from.
    /// </summary>
    public Reservations.HostReservation? Host { get; set; }

    /// <summary>The client's global reservation, when the selected subnet uses global reservations.</summary>
    public Reservations.HostReservation? GlobalHost { get; set; }

    /// <summary>
    /// Every subnet reservation the client has in the selected subnet's shared network, when one was found in a member
    /// other than the selected subnet (Kea looks in each member the client's classes allow); null otherwise, the usual case.
    /// </summary>
    public List<Reservations.HostReservation>? SharedNetworkHosts { get; set; }

    /// <summary>The subnet whose reservation gave the client its first reserved lease (Kea's host_subnet_).</summary>
    public Subnet6? HostSubnet { get; set; }

    /// <summary>A subnet reservation was found in a shared network: the current host is settled once the leases are chosen.</summary>
    public bool HostClassesAfterAllocation { get; set; }

    /// <summary>
    /// The host changed after allocation to one with another reserved hostname (a reservation in another member of the
    /// shared network served the client): the FQDN decision is made again with it, as Kea's allocation takes that
    /// reservation's hostname for the leases and updateReservedFqdn puts it in the reply.
    /// </summary>
    public bool ReservedHostnameChanged { get; set; }

    /// <summary>The client's reservation in this subnet, if it has one.</summary>
    public Reservations.HostReservation? SubnetHost(uint subnetId)
    {
        if (SharedNetworkHosts is { } hosts)
        {
            foreach (var host in hosts)
            {
                if (host.SubnetId == subnetId)
                {
                    return host;
                }
            }

            return null;
        }

        return Host is { SubnetId: { } id } current && id == subnetId ? current : null;
    }

    /// <summary>True when <paramref name="owner"/> is one of the client's own reservations (subnet or global).</summary>
    public bool IsOwnHost(Reservations.HostReservation owner)
    {
        if (Reservations.HostReservation.SameHost(owner, Host) || Reservations.HostReservation.SameHost(owner, GlobalHost))
        {
            return true;
        }

        if (SharedNetworkHosts is { } hosts)
        {
            foreach (var host in hosts)
            {
                if (Reservations.HostReservation.SameHost(owner, host))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True once the global reservation was looked up before subnet selection (<c>early-global-reservations-lookup</c>).</summary>
    public bool EarlyGlobalLookupDone { get; set; }

    /// <summary>The global reservation found before subnet selection, reused by the host lookup (as Kea keeps it in its context).</summary>
    public Reservations.HostReservation? EarlyGlobalHost { get; set; }

    /// <summary>
    /// Host name for the client's leases: from its Client FQDN option (qualified) or its reservation; null keeps
    /// what a renewed lease has.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>The Client FQDN option (39) for the reply, when the client sent one (RFC 4704).</summary>
    public Pukeko.Protocol.Options.ClientFqdnOption? FqdnResponse { get; set; }

    /// <summary>The DDNS parameters the FQDN decision used (subnet's, or a pool's once the address is known).</summary>
    public DdnsParameters? Ddns { get; set; }

    /// <summary>The server updates the forward (AAAA) record: stored in the leases as <c>fqdn_fwd</c>.</summary>
    public bool FqdnForward { get; set; }

    /// <summary>The server updates the reverse (PTR) record: stored in the leases as <c>fqdn_rev</c>.</summary>
    public bool FqdnReverse { get; set; }

    /// <summary>The transport's packets-in-flight count (see <see cref="Dhcp6Processor.ProcessAsync"/>); null outside a transport.</summary>
    internal Concurrency.InFlightGate? Flows { get; set; }

    /// <summary>
    /// The hooks' callout table when the query arrived, if no callout was registered then and no HA hold or filter was
    /// in force: its packets may be reused after it if the same table is still in force (<see cref="PacketRecycler"/>).
    /// </summary>
    internal object? CalloutFreeTable { get; set; }

    /// <summary>Options of the client's host reservation (highest precedence), if it has one.</summary>
    public Options.OptionLevel? ReservationOptions { get; set; }
}
