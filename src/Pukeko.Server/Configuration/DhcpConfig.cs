using System.Text.Json;

namespace Pukeko.Server.Configuration;

/// <summary>
/// The validated, immutable server configuration built from a Kea <c>Dhcp6</c> document. A reconfiguration builds a new
/// instance and swaps it in, so readers never see a half-applied configuration.
/// </summary>
internal sealed class DhcpConfig
{
    public IReadOnlyList<InterfaceSpec> Interfaces { get; init; } = [];

    /// <summary><c>interfaces-config.re-detect</c>: re-scan interfaces on reconfiguration. Default true.</summary>
    public bool ReDetectInterfaces { get; init; } = true;

    /// <summary><c>service-sockets-require-all</c>: fail configuration when any socket cannot be opened.</summary>
    public bool ServiceSocketsRequireAll { get; init; }

    /// <summary><c>service-sockets-max-retries</c>; 0 = no retries.</summary>
    public uint ServiceSocketsMaxRetries { get; init; }

    /// <summary><c>service-sockets-retry-wait-time</c> in milliseconds. Default 5000.</summary>
    public uint ServiceSocketsRetryWaitTime { get; init; } = 5000;

    public IReadOnlyList<Subnet6> Subnets { get; init; } = [];

    public IReadOnlyList<OptionDescriptor> GlobalOptions { get; init; } = [];

    /// <summary><c>client-classes</c> in configuration order (the order they are evaluated in).</summary>
    public IReadOnlyList<Classification.ClientClassDefinition> ClientClasses { get; init; } = [];

    /// <summary>Global <c>reservations</c> (used where <c>reservations-global</c> is on).</summary>
    public IReadOnlyList<Reservations.HostReservation> GlobalReservations { get; init; } = [];

    /// <summary><c>host-reservation-identifiers</c>: identifier types tried in this order.</summary>
    public IReadOnlyList<Reservations.HostIdentifierType> HostReservationIdentifiers { get; init; } =
        [Reservations.HostIdentifierType.HwAddress, Reservations.HostIdentifierType.Duid];

    /// <summary><c>mac-sources</c>: Kea's hwaddr_source bits, tried in this order for a client's hardware address.</summary>
    public IReadOnlyList<uint> MacSources { get; init; } = Allocation.HardwareAddressFinder.DefaultSources;

    /// <summary><c>sanity-checks.lease-checks</c>: applied to the rows of the lease file when it is loaded.</summary>
    public Leases.Memfile.LeaseSanityMode LeaseChecks { get; init; } = Leases.Memfile.LeaseSanityMode.Warn;

    /// <summary>
    /// <c>sanity-checks.extended-info-checks</c>: applied to the relay information in leases' user contexts when the
    /// memfile lease file is loaded and when lease6-add, lease6-update or lease6-bulk-apply bring a lease.
    /// </summary>
    public Leases.ExtendedInfoSanityMode ExtendedInfoChecks { get; init; } = Leases.ExtendedInfoSanityMode.Fix;

    /// <summary>
    /// <c>ip-reservations-unique</c>: false lets several hosts reserve one address or prefix (the first of them to
    /// ask gets it). Both host backends Pukeko has (the configuration and PostgreSQL) support false, as in Kea.
    /// </summary>
    public bool IpReservationsUnique { get; init; } = true;

    /// <summary>
    /// Whether the file is in Kea 3.x's style (it has <c>control-sockets</c>). Decides where Kea 2.2 and 3.x answer
    /// a command differently, e.g. <c>stat-lease6-get</c>'s columns.
    /// </summary>
    public bool WrittenForKea3 { get; init; }

    /// <summary>
    /// <c>early-global-reservations-lookup</c>: the global reservation is looked up before subnet selection, so its
    /// classes take part in choosing the subnet, shared network and pool.
    /// </summary>
    public bool EarlyGlobalReservationsLookup { get; init; }

    /// <summary>
    /// <c>compatibility.lenient-option-parsing</c>: received options Kea tolerates when malformed are repaired or left
    /// out instead of failing the packet (Client FQDN with N and S set; names that cannot be read; User/Vendor Class
    /// entries overrunning their option; oversized fixed-length options; IA Prefix lengths over 128).
    /// </summary>
    public bool LenientOptionParsing { get; init; }

    /// <summary>Global-level reservation modes; they apply when no subnet was selected.</summary>
    public Reservations.ReservationModes ReservationModes { get; init; } = Reservations.ReservationModes.Default;

    /// <summary>Standard option definitions plus <c>option-def</c>.</summary>
    public Pukeko.Protocol.Options.Definitions.OptionDefinitionSet OptionDefinitions { get; init; } = Pukeko.Protocol.Options.Definitions.OptionDefinitionSet.StandardOnly;

    /// <summary><c>shared-networks</c>; their subnets are also in <see cref="Subnets"/>.</summary>
    public IReadOnlyList<SharedNetwork6> SharedNetworks { get; init; } = [];

    /// <summary>
    /// Option codes a relay may supply for the client (RFC 6422): <c>relay-supplied-options</c>
    /// plus 65 (erp-local-domain-name), which Kea always enables.
    /// </summary>
    public IReadOnlySet<ushort> RelaySuppliedOptions { get; init; } = DefaultRelaySuppliedOptions;

    /// <summary>The RSOO-enabled codes when nothing is configured.</summary>
    public static IReadOnlySet<ushort> DefaultRelaySuppliedOptions { get; } = new HashSet<ushort> { 65 };

    public required LeaseDatabaseConfig LeaseDatabase { get; init; }

    /// <summary><c>hosts-database</c> and <c>hosts-databases</c>, in order: consulted after the configuration's reservations.</summary>
    public IReadOnlyList<HostsDatabaseConfig> HostsDatabases { get; init; } = [];

    public ServerIdConfig ServerId { get; init; } = ServerIdConfig.Default;

    /// <summary>Seconds a declined address stays unusable. Kea default 86400.</summary>
    public uint DeclineProbationPeriod { get; init; } = 86400;

    public ExpirationConfig ExpiredLeasesProcessing { get; init; } = ExpirationConfig.Default;

    public MultiThreadingConfig MultiThreading { get; init; } = MultiThreadingConfig.Default;

    public IReadOnlyList<LoggerConfig> Loggers { get; init; } = [];

    /// <summary>Parsed and kept for the hooks layer; the loader does not load libraries.</summary>
    public IReadOnlyList<HooksLibraryConfig> HooksLibraries { get; init; } = [];

    public string ServerTag { get; init; } = "";

    public uint ParkedPacketLimit { get; init; } = 256;

    /// <summary>The <c>dhcp-ddns</c> map: whether and where name-change requests go.</summary>
    public DhcpDdnsConfig DhcpDdns { get; init; } = DhcpDdnsConfig.Default;

    /// <summary>The global <c>ddns-*</c> parameters (used when a client has no subnet).</summary>
    public DdnsParameters Ddns { get; init; } = DdnsParameters.Default;

    /// <summary><c>control-sockets</c> (and the old single <c>control-socket</c>), in file order.</summary>
    public IReadOnlyList<ControlSocketConfig> ControlSockets { get; init; } = [];

    /// <summary><c>statistic-default-sample-count</c>: samples kept per statistic (Kea default 20; 0 = limit by age).</summary>
    public uint StatisticDefaultSampleCount { get; init; } = 20;

    /// <summary><c>statistic-default-sample-age</c> in seconds (Kea default 0 = limit by count).</summary>
    public uint StatisticDefaultSampleAge { get; init; }

    /// <summary>The whole <c>{"Dhcp6": {...}}</c> document as given (comments stripped, includes expanded), detached.</summary>
    public required JsonElement Source { get; init; }

    /// <summary>The subnet with the given id, or null.</summary>
    public Subnet6? FindSubnet(uint id)
    {
        foreach (var subnet in Subnets)
        {
            if (subnet.Id == id)
            {
                return subnet;
            }
        }

        return null;
    }
}
