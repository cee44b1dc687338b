using System.Runtime.CompilerServices;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>The <c>Dhcp6</c> map as read. Record-typed sections are filled in place through their boxes.</summary>
internal sealed class GlobalDraft(ConfigEnvironment environment)
{
    public const string Path = "Dhcp6";

    public List<InterfaceSpec> Interfaces { get; } = [];

    public bool ReDetectInterfaces { get; set; } = true;

    public bool ServiceSocketsRequireAll { get; set; }

    public uint ServiceSocketsMaxRetries { get; set; }

    public uint ServiceSocketsRetryWaitTime { get; set; } = 5000;

    public List<SubnetDraft> Subnets { get; } = [];

    public List<SharedNetworkDraft> SharedNetworks { get; } = [];

    /// <summary><c>relay-supplied-options</c> codes (65 is added when resolving).</summary>
    public HashSet<ushort> RelaySuppliedOptions { get; } = [];

    public AllocationDraft Allocation { get; } = new();

    public IReadOnlyList<OptionDescriptor> GlobalOptions { get; set; } = [];

    public IReadOnlyList<Classification.ClientClassDefinition> ClientClasses { get; set; } = [];

    public List<Reservations.HostReservation> Reservations { get; } = [];

    public ReservationModesDraft ReservationModes { get; } = new();

    public IReadOnlyList<Reservations.HostIdentifierType> HostReservationIdentifiers { get; set; } =
        [Pukeko.Server.Reservations.HostIdentifierType.HwAddress, Pukeko.Server.Reservations.HostIdentifierType.Duid];

    public IReadOnlyList<uint> MacSources { get; set; } = Pukeko.Server.Allocation.HardwareAddressFinder.DefaultSources;

    public TimingDraft Timing { get; } = new();

    public StrongBox<LeaseDatabaseConfig> LeaseDatabase { get; } = new(LeaseDatabaseConfig.Default(environment));

    public List<HostsDatabaseConfig> HostsDatabases { get; } = [];

    public StrongBox<ServerIdConfig> ServerId { get; } = new(ServerIdConfig.Default);

    public uint DeclineProbationPeriod { get; set; } = 86400;

    public StrongBox<ExpirationConfig> Expiration { get; } = new(ExpirationConfig.Default);

    public StrongBox<MultiThreadingConfig> MultiThreading { get; } = new(MultiThreadingConfig.Default);

    public List<LoggerConfig> Loggers { get; } = [];

    public List<HooksLibraryConfig> HooksLibraries { get; } = [];

    public List<ControlSocketConfig> ControlSockets { get; } = [];

    public uint StatisticDefaultSampleCount { get; set; } = 20;

    public uint StatisticDefaultSampleAge { get; set; }

    public string ServerTag { get; set; } = "";

    public uint ParkedPacketLimit { get; set; } = 256;

    /// <summary><c>sanity-checks.lease-checks</c>; Kea's default is warn.</summary>
    public Leases.Memfile.LeaseSanityMode LeaseChecks { get; set; } = Leases.Memfile.LeaseSanityMode.Warn;

    /// <summary><c>sanity-checks.extended-info-checks</c>; Kea's default is fix.</summary>
    public Leases.ExtendedInfoSanityMode ExtendedInfoChecks { get; set; } = Leases.ExtendedInfoSanityMode.Fix;

    public QueueControlDraft? QueueControl { get; set; }

    public bool IpReservationsUnique { get; set; } = true;

    /// <summary>Whether the file is in Kea 3.x's style (see <see cref="ParseContext.WrittenForKea3"/>).</summary>
    public bool WrittenForKea3 { get; set; }

    public bool EarlyGlobalReservationsLookup { get; set; }

    /// <summary><c>compatibility.lenient-option-parsing</c>.</summary>
    public bool LenientOptionParsing { get; set; }

    /// <summary>Where <c>reservations-lookup-first</c> was given (its warning depends on multi-threading).</summary>
    public string? ReservationsLookupFirstPath { get; set; }

    public DdnsDraft Ddns { get; } = new();

    public DhcpDdnsConfig DhcpDdns { get; set; } = DhcpDdnsConfig.Default;
}
