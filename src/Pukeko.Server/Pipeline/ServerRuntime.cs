using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;
using Pukeko.Server.Options;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// One configuration compiled for packet processing: options turned into wire objects, lookups
/// built. Immutable; a reload builds a new one and swaps a single reference, so packets in flight
/// finish with the runtime they started with.
/// </summary>
internal sealed class ServerRuntime
{
    private readonly Dictionary<Subnet6, OptionLevel> _subnetOptions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ILeasePool, OptionLevel> _poolOptions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SharedNetwork6, OptionLevel> _networkOptions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, OptionLevel> _classOptions = new(StringComparer.Ordinal);
    private readonly Dictionary<HostReservation, OptionLevel> _hostOptions = new(ReferenceEqualityComparer.Instance);

    public ServerRuntime(DhcpConfig config, Duid serverDuid, ushort clientPort = 546, ushort serverPort = 547)
    {
        Config = config;
        ServerDuid = serverDuid;
        ServerIdOption = new DuidOption(OptionCode.ServerId, serverDuid);
        ClientPort = clientPort;
        ServerPort = serverPort;
        var definitions = config.OptionDefinitions;
        GlobalOptions = OptionLevel.From(config.GlobalOptions, definitions);
        foreach (var subnet in config.Subnets)
        {
            _subnetOptions[subnet] = OptionLevel.From(subnet.Options, definitions);
            foreach (var pool in subnet.Pools)
            {
                _poolOptions[pool] = OptionLevel.From(pool.Options, definitions);
            }

            foreach (var pool in subnet.PdPools)
            {
                _poolOptions[pool] = OptionLevel.From(pool.Options, definitions);
            }
        }

        foreach (var network in config.SharedNetworks)
        {
            _networkOptions[network] = OptionLevel.From(network.Options, definitions);
        }

        foreach (var clientClass in config.ClientClasses)
        {
            _classOptions[clientClass.Name] = OptionLevel.From(clientClass.Options, definitions);
        }

        Classifier = new PacketClassifier(config.ClientClasses);
        var hosts = new List<HostReservation>(config.GlobalReservations);
        foreach (var subnet in config.Subnets)
        {
            hosts.AddRange(subnet.Reservations);
        }

        Reservations = new HostReservationIndex(hosts);
        foreach (var host in hosts)
        {
            if (host.Options.Count > 0)
            {
                _hostOptions[host] = OptionLevel.From(host.Options, definitions);
            }
        }

        // Kea keeps subnets indexed by id, so "the first subnet that matches" means the lowest id.
        SubnetsById = [.. config.Subnets.OrderBy(s => s.Id)];
    }

    public DhcpConfig Config { get; }

    public Duid ServerDuid { get; }

    /// <summary>Shared instance; the writer only reads it.</summary>
    public DuidOption ServerIdOption { get; }

    public ushort ClientPort { get; }

    public ushort ServerPort { get; }

    public OptionLevel GlobalOptions { get; }

    public IReadOnlyList<Subnet6> Subnets => Config.Subnets;

    public OptionLevel OptionsOf(Subnet6 subnet) => _subnetOptions.TryGetValue(subnet, out var level) ? level : OptionLevel.Empty;

    public OptionLevel OptionsOf(ILeasePool pool) => _poolOptions.TryGetValue(pool, out var level) ? level : OptionLevel.Empty;

    public OptionLevel OptionsOf(SharedNetwork6 network) => _networkOptions.TryGetValue(network, out var level) ? level : OptionLevel.Empty;

    /// <summary>All subnets in id order: the order subnet selection tries them.</summary>
    public IReadOnlyList<Subnet6> SubnetsById { get; }

    /// <summary>Options of a client class by name; empty for classes without a definition or options.</summary>
    public OptionLevel OptionsOfClass(string name) => _classOptions.TryGetValue(name, out var level) ? level : OptionLevel.Empty;

    /// <summary>
    /// Options of a host reservation: compiled with the configuration for its own reservations, compiled on use for
    /// one a host database returned.
    /// </summary>
    public OptionLevel OptionsOf(HostReservation host) =>
        _hostOptions.TryGetValue(host, out var level) ? level
        : host.Options.Count > 0 ? OptionLevel.From(host.Options, Config.OptionDefinitions)
        : OptionLevel.Empty;

    /// <summary>Global and per-subnet reservations.</summary>
    public HostReservationIndex Reservations { get; }

    /// <summary>Host databases (<c>hosts-database(s)</c>), consulted in order after <see cref="Reservations"/>; usually none.</summary>
    public IReadOnlyList<IHostDataSource> HostSources { get; init; } = [];

    /// <summary>The configuration's client classes and the evaluation passes over them.</summary>
    public PacketClassifier Classifier { get; }

    public Subnet6? FindSubnet(uint id)
    {
        // Indexed: every lease change asks (statistics), and a foreach over the list interface boxes an enumerator.
        var subnets = Config.Subnets;
        for (var i = 0; i < subnets.Count; i++)
        {
            if (subnets[i].Id == id)
            {
                return subnets[i];
            }
        }

        return null;
    }
}
