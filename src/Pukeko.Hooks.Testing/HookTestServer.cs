using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Identity;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Statistics;
using HookLease = Pukeko.Hooks.Leases.Lease6;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// The Pukeko engine in memory, for a hook library's unit tests: the daemon's configuration parser, hooks manager,
/// pipeline and allocation engine, fed with encoded queries instead of a socket, over an empty in-memory lease
/// database. Callouts run exactly as in the daemon (same hook points, arguments, statuses, order). No root, no
/// network. Create one with <see cref="StartAsync(HookLibrary, string?)"/> or <see cref="CreateBuilder"/>.
/// </summary>
/// <example>
/// <code>
/// await using var server = await HookTestServer.StartAsync(new MyLibrary(), """{ "valid-lifetime": 1234 }""");
/// var client = server.CreateClient();
/// var reply = await client.RequestLeasesAsync();
/// Assert.Equal(1234u, client.Addresses[0].ValidLifetime);
/// </code>
/// </example>
public sealed class HookTestServer : IAsyncDisposable
{
    /// <summary>
    /// The configuration used when none is given: one subnet <c>2001:db8:1::/64</c> (id 1) on interface <c>eth0</c>
    /// with the address pool <c>2001:db8:1::100</c>-<c>2001:db8:1::1ff</c> and the prefix pool
    /// <c>2001:db8:8000::/48</c> delegating /56s, valid lifetime 4000 s, preferred 3000 s, Kea's other defaults
    /// (multi-threading on: a library must declare itself compatible, as in the daemon).
    /// </summary>
    public static string DefaultConfiguration { get; } = """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "eth0" ] },
            "lease-database": { "type": "memfile", "persist": false },
            "valid-lifetime": 4000,
            "preferred-lifetime": 3000,
            "subnet6": [
              {
                "id": 1,
                "subnet": "2001:db8:1::/64",
                "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
                "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 } ]
              }
            ]
          }
        }
        """;

    /// <summary>Where a query without relay layers comes from: a client's link-local address.</summary>
    private static readonly Ipv6Address ClientLinkLocal = Ipv6Address.Parse("fe80::200:ff:fe00:1");

    /// <summary>Where a relayed query comes from when its outermost layer names no link address.</summary>
    private static readonly Ipv6Address RelayAddress = Ipv6Address.Parse("fe80::ffff:1");

    private static readonly string[] DropCounters =
    [
        "pkt6-parse-failed", "pkt6-not-for-us", "pkt6-rfc-violation", "pkt6-processing-failed",
        "pkt6-service-disabled", "pkt6-queue-full", "pkt6-duplicate", "pkt6-receive-drop",
    ];

    private readonly RecordingLoggerFactory _loggers;
    private readonly ShiftedTimeProvider _time;
    private readonly HooksManager _hooks;
    private readonly MemfileLeaseStore _store;
    private readonly StatisticsRegistry _statistics;
    private readonly Dhcp6Processor _processor;
    private readonly LeaseReclaimer _reclaimer;
    private readonly NetworkState _network;
    private readonly TimeSpan _replyTimeout;
    private int _disposed;

    private HookTestServer(RecordingLoggerFactory loggers, ShiftedTimeProvider time, HooksManager hooks, MemfileLeaseStore store, StatisticsRegistry statistics, Dhcp6Processor processor, LeaseReclaimer reclaimer, NetworkState network, TimeSpan replyTimeout, string interfaceName)
    {
        _loggers = loggers;
        _time = time;
        _hooks = hooks;
        _store = store;
        _statistics = statistics;
        _processor = processor;
        _reclaimer = reclaimer;
        _network = network;
        _replyTimeout = replyTimeout;
        InterfaceName = interfaceName;
    }

    /// <summary>A builder for a server with another configuration, several libraries or another reply timeout.</summary>
    public static HookTestServerBuilder CreateBuilder() => new();

    /// <summary>Starts a server with <see cref="DefaultConfiguration"/> and <paramref name="library"/> loaded with <paramref name="parameters"/> (JSON).</summary>
    /// <exception cref="InvalidOperationException">The library could not be loaded.</exception>
    public static Task<HookTestServer> StartAsync(HookLibrary library, string? parameters = null) =>
        CreateBuilder().AddLibrary(library, parameters).StartAsync();

    /// <summary>The server's DUID (the server identifier of its replies).</summary>
    public Duid ServerId => _processor.Runtime.ServerDuid;

    /// <summary>
    /// The interface queries without relay layers arrive on: the first one named in <c>interfaces-config</c>, else
    /// the first subnet's <c>interface</c>, else <c>eth0</c>. A subnet is selected for such a client by this name,
    /// as for a client on the daemon's link.
    /// </summary>
    public string InterfaceName { get; }

    /// <summary>Everything logged since the start (Kea's message ids and texts, every level), in order.</summary>
    public IReadOnlyList<HookTestLogEntry> Log => _loggers.Since(0);

    /// <summary>Packets parked by callouts and not yet unparked or dropped.</summary>
    public int ParkedCount => _hooks.ParkedCount;

    internal static async Task<HookTestServer> StartAsync(HookTestServerBuilder builder)
    {
        var loggers = new RecordingLoggerFactory();
        var time = new ShiftedTimeProvider();
        var environment = ConfigEnvironment.FromEnvironment() with { RelaxedSecurity = true };
        var result = ConfigLoader.LoadText(AsConfigFile(builder.Configuration), Directory.GetCurrentDirectory(), environment);
        if (!result.Success || result.Config is not { } config)
        {
            throw new ArgumentException("the configuration is not valid: " + string.Join("; ", result.Errors), nameof(builder));
        }

        var statistics = new StatisticsRegistry();
        var packets = new PacketStatistics(statistics);
        var leaseStatistics = new LeaseStatistics(statistics);
        var hooks = new HooksManager(loggers, statistics) { Time = time };
        var store = new MemfileLeaseStore(new MemfileOptions(Path.Combine(Path.GetTempPath(), "pukeko-hook-test-leases.csv"), Persist: false), loggers.CreateLogger("kea-dhcp6.dhcpsrv"), time);
        var network = new NetworkState(time);
        try
        {
            // As a (re)configuration of the daemon: the configured libraries in order, then dhcp6_srv_configured.
            try
            {
                hooks.Load(config.HooksLibraries, config.MultiThreading.Enabled);
                foreach (var (library, parameters) in builder.Libraries)
                {
                    JsonElement? parsed = parameters is null ? null : JsonDocument.Parse(parameters).RootElement.Clone();
                    hooks.LoadInProcess(library, NameOf(library), parsed, calloutBudget: null, config.MultiThreading.Enabled);
                }
            }
            catch (HookLoadException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
            }

            store.Open();
            var serverId = ServerIdentity.Generate(config.ServerId, time);
            var runtime = new ServerRuntime(config, serverId);
            if (hooks.CallSrvConfigured(config, network) is { } veto)
            {
                throw new InvalidOperationException($"dhcp6_srv_configured: {veto}");
            }

            var allocation = new AllocationEngine(store, leaseStatistics, packets, loggers.CreateLogger("kea-dhcp6.alloc-engine"));
            var processor = new Dhcp6Processor(runtime, allocation, packets, leaseStatistics, loggers, time) { Hooks = hooks };
            leaseStatistics.Recount(config.Subnets, await LeaseCountSnapshot.ReadAsync(store, config.Subnets).ConfigureAwait(false));
            var reclaimer = new LeaseReclaimer(allocation.Writer, allocation.Claims, leaseStatistics, loggers.CreateLogger("kea-dhcp6.alloc-engine")) { Hooks = hooks };
            return new HookTestServer(loggers, time, hooks, store, statistics, processor, reclaimer, network, builder.ReplyTimeout, InterfaceOf(config));
        }
        catch
        {
            hooks.Dispose();
            store.Dispose();
            network.Dispose();
            throw;
        }
    }

    /// <summary>A client with its own DUID (or <paramref name="duid"/>) that builds and sends queries to this server.</summary>
    public HookTestClient CreateClient(Duid? duid = null) => new(this, duid);

    /// <summary>Sends <paramref name="query"/> (wrapped in <paramref name="relays"/>, outermost first) and returns the decoded reply, or null when the server sent none (see <see cref="ExchangeAsync"/> for why).</summary>
    public async Task<Dhcp6Message?> SendAsync(Dhcp6Message query, IReadOnlyList<RelayLayer>? relays = null) =>
        (await ExchangeAsync(query, relays).ConfigureAwait(false)).Reply;

    /// <summary>
    /// Encodes <paramref name="query"/> (in <paramref name="relays"/>, outermost first: Relay-forward layers whose
    /// options, such as an interface-id, a relay agent would add) as a datagram arriving on
    /// <see cref="InterfaceName"/>, runs it through the pipeline and decodes what the server would send. A parked
    /// packet is waited for until its callout unparks it (or the reply timeout passes).
    /// </summary>
    /// <exception cref="TimeoutException">No outcome within the reply timeout (a packet parked and never unparked).</exception>
    public async Task<HookTestExchange> ExchangeAsync(Dhcp6Message query, IReadOnlyList<RelayLayer>? relays = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        relays ??= [];
        var bytes = Dhcp6Writer.ToArray(query, relays);
        var relayed = relays.Count > 0;
        var datagram = new ReceivedDatagram
        {
            Buffer = bytes,
            Length = bytes.Length,
            RemoteAddress = relayed ? (relays[0].LinkAddress == Ipv6Address.Any ? RelayAddress : relays[0].LinkAddress) : ClientLinkLocal,
            RemotePort = relayed ? (ushort)547 : (ushort)546,
            LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = InterfaceName,
            ReceivedAt = _time.GetUtcNow(),
        };

        var logStart = _loggers.Count;
        var dropsBefore = DropCounters.Select(_statistics.Value).ToArray();
        OutgoingDatagram? outcome;
        try
        {
            outcome = await _processor.ProcessAsync(datagram, new byte[65536]).AsTask().WaitAsync(_replyTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no reply and no drop within {_replyTimeout.TotalSeconds:0.#} s ({ParkedCount} packet(s) parked): a callout parked the query and did not unpark it");
        }

        var log = _loggers.Since(logStart);
        if (outcome is { Length: > 0 } sent)
        {
            var replyRelays = new List<RelayLayer>();
            if (Dhcp6Parser.TryParse(sent.Buffer.AsSpan(0, sent.Length), replyRelays, out var reply) is var status && (status != ParseStatus.Ok || reply is null))
            {
                throw new InvalidOperationException($"the server's reply does not parse ({status}): {Convert.ToHexString(sent.Buffer, 0, sent.Length)}");
            }

            return new HookTestExchange(query, reply, replyRelays, null, log);
        }

        return new HookTestExchange(query, null, [], WhyDropped(log, dropsBefore, outcome is not null), log);
    }

    /// <summary>The lease of <paramref name="address"/> (an address, or a delegated prefix's first address), as a callout would see it; null when there is none.</summary>
    public async Task<HookLease?> GetLeaseAsync(Ipv6Address address) =>
        await _store.GetAsync(address).ConfigureAwait(false) is { } lease ? LeaseViews.ToView(lease) : null;

    /// <summary>Every lease (addresses and prefixes, in any state) of the client with <paramref name="duid"/>.</summary>
    public async Task<IReadOnlyList<HookLease>> GetLeasesAsync(Duid duid)
    {
        ArgumentNullException.ThrowIfNull(duid);
        return [.. (await _store.GetByDuidAsync(duid.Bytes.ToArray()).ConfigureAwait(false)).Select(LeaseViews.ToView)];
    }

    /// <summary>Every lease in the store.</summary>
    public async Task<IReadOnlyList<HookLease>> GetAllLeasesAsync() =>
        [.. (await _store.GetAllAsync().ConfigureAwait(false)).Select(LeaseViews.ToView)];

    /// <summary>A statistic by Kea's name (<c>pkt6-reply-sent</c>, <c>subnet[1].assigned-nas</c>, <c>hooks.library[1].callout-exceptions</c>, ...); 0 when it was never set.</summary>
    public long GetStatistic(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _statistics.Value(name);
    }

    /// <summary>Every statistic and its current value.</summary>
    public IReadOnlyDictionary<string, long> GetStatistics() => _statistics.Snapshot().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Moves the server's clock forward: leases age (cltt, expiry) without waiting.</summary>
    public void AdvanceTime(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        _time.Advance(by);
    }

    /// <summary>
    /// Reclaims every expired lease now, as the daemon's reclamation timer does (<c>lease6_expire</c> callouts run,
    /// then the lease is removed or kept as expired-reclaimed per <c>expired-leases-processing</c>). Returns how many
    /// leases were reclaimed.
    /// </summary>
    public async Task<int> ReclaimExpiredLeasesAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var runtime = _processor.Runtime;
        return await _reclaimer.ReclaimAsync(runtime.Config.ExpiredLeasesProcessing, runtime.FindSubnet, _time.GetUtcNow().ToUnixTimeSeconds(), unlimited: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a control command to the handler a library registered with <see cref="LibraryHandle.RegisterCommandHandler"/>,
    /// as the control channel does: the handler receives the whole map (<c>{"command": ..., "arguments": ...}</c>), then
    /// <c>command_processed</c> callouts see (and may replace) the response, which is returned. The server's built-in
    /// commands are not served here; a command no library registered gets Kea's "not supported" response (result 2).
    /// </summary>
    public async Task<JsonObject> SendCommandAsync(string command, JsonObject? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var map = new JsonObject { ["command"] = command };
        if (arguments is not null)
        {
            map["arguments"] = arguments.DeepClone();
        }

        var response = _hooks.TryGetHandler(command, out var handler) && handler is not null
            ? await handler(map, CancellationToken.None).ConfigureAwait(false)
            : new JsonObject { ["result"] = 2, ["text"] = $"'{command}' command not supported." };
        return _hooks.CommandProcessed(command, map["arguments"], response);
    }

    /// <summary>Unloads the libraries (their <see cref="HookLibrary.Unload"/> runs, in reverse order) and drops parked packets.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _hooks.Dispose();
            _store.Dispose();
            _network.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Accepts a whole configuration file or only its Dhcp6 map.</summary>
    private static string AsConfigFile(string configuration)
    {
        try
        {
            using var document = JsonDocument.Parse(configuration, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object && !document.RootElement.TryGetProperty("Dhcp6", out _))
            {
                return "{ \"Dhcp6\": " + configuration + "\n}";
            }
        }
        catch (JsonException)
        {
            // Not plain JSON (Kea's <?include?> or a syntax error): the daemon's parser reports it.
        }

        return configuration;
    }

    private static string NameOf(HookLibrary library)
    {
        var type = library.GetType();
        return type.Assembly.Location is { Length: > 0 } location ? location : type.FullName ?? type.Name;
    }

    private static string InterfaceOf(DhcpConfig config) =>
        config.Interfaces.Select(i => i.Name).FirstOrDefault(n => n != "*")
        ?? config.Subnets.Select(s => s.Interface).FirstOrDefault(n => !string.IsNullOrEmpty(n))
        ?? "eth0";

    /// <summary>The last log line that says a packet was dropped, else the drop counters that rose.</summary>
    private string WhyDropped(IReadOnlyList<HookTestLogEntry> log, long[] dropsBefore, bool emptyDatagram)
    {
        var line = log.LastOrDefault(e => e.EventName.Contains("DROP", StringComparison.Ordinal) || e.Message.Contains("dropped", StringComparison.OrdinalIgnoreCase));
        if (line is not null)
        {
            return $"{line.EventName}: {line.Message}";
        }

        var rose = DropCounters.Where((name, i) => _statistics.Value(name) > dropsBefore[i]).ToList();
        if (rose.Count > 0)
        {
            return "counted as " + string.Join(", ", rose);
        }

        return emptyDatagram ? "the reply was not packed (a callout set SKIP on pkt6_send or buffer6_send)" : "no reply (the message needs none, or a callout discarded it)";
    }
}
