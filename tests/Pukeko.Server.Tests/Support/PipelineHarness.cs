using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reservations;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// The whole pipeline in memory (no sockets): datagrams in, datagrams out, like Kea's
/// NakedDhcpv6Srv. Leases live in a non-persistent memfile store.
/// </summary>
internal sealed class PipelineHarness : IDisposable
{
    public static readonly Ipv6Address ClientLinkLocal = Ipv6Address.Parse("fe80::1:2ff:fe03:405");
    public static readonly Duid ServerDuid = Duid.CreateLlt(1, 12345, [0x02, 0, 0, 0, 0xfc, 0x01]);

    public PipelineHarness(Func<Subnet6, Subnet6>? customize = null, Action<DhcpConfigBuilder>? configure = null, Func<ILeaseStore, ILeaseStore>? wrapStore = null, string? leaseFile = null)
        : this(Build(customize, configure), wrapStore, leaseFile)
    {
    }

    /// <summary>A harness for a configuration loaded from real Kea JSON (see <see cref="FromDhcp6"/>).</summary>
    /// <param name="leaseFile">A lease file to persist to (memfile <c>persist: true</c>); null keeps leases in memory only.</param>
    /// <param name="hostSources">Host databases searched after the configuration's reservations.</param>
    public PipelineHarness(DhcpConfig config, Func<ILeaseStore, ILeaseStore>? wrapStore = null, string? leaseFile = null, IReadOnlyList<IHostDataSource>? hostSources = null)
    {
        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        Config = config;
        Store = new MemfileLeaseStore(new MemfileOptions(leaseFile ?? Path.Combine(Path.GetTempPath(), "unused.csv"), Persist: leaseFile is not null, LfcIntervalSeconds: 0), NullLogger.Instance, Time);
        Store.Open();
        Statistics = new StatisticsRegistry();
        Packets = new PacketStatistics(Statistics);
        Leases = new LeaseStatistics(Statistics);
        var allocation = new AllocationEngine(wrapStore?.Invoke(Store) ?? Store, Leases, Packets, NullLogger.Instance);
        Runtime = new ServerRuntime(Config, ServerDuid) { HostSources = hostSources ?? [] };
        Processor = new Dhcp6Processor(Runtime, allocation, Packets, Leases, NullLoggerFactory.Instance, Time);
        Leases.Recount(Config.Subnets, Store, 0);
    }

    /// <summary>A reply that came after the exchange returned (its packet was parked or waited for its client), decoded.</summary>
    private async Task CollectLaterAsync(ValueTask<OutgoingDatagram?> pending)
    {
        if (await pending is not { Length: > 0 } outgoing)
        {
            return;
        }

        var relaysOut = new List<RelayLayer>();
        if (Dhcp6Parser.TryParse(outgoing.Buffer.AsSpan(0, outgoing.Length), relaysOut, out var reply) == ParseStatus.Ok && reply is not null)
        {
            ParkedReplies.Add(reply);
        }
    }

    /// <summary>A harness running the configuration given as the body of a <c>Dhcp6</c> map; fails the test on config errors.</summary>
    public static PipelineHarness FromDhcp6(string body) => new(Configuration.ConfigTest.LoadOk(Configuration.ConfigTest.Dhcp6(body)));

    private static DhcpConfig Build(Func<Subnet6, Subnet6>? customize, Action<DhcpConfigBuilder>? configure)
    {
        var builder = new DhcpConfigBuilder();
        configure?.Invoke(builder);
        if (customize is not null)
        {
            builder.Subnets[0] = customize(builder.Subnets[0]);
        }

        return builder.Build();
    }

    public FakeTimeProvider Time { get; }

    public DhcpConfig Config { get; }

    public MemfileLeaseStore Store { get; }

    public StatisticsRegistry Statistics { get; }

    public PacketStatistics Packets { get; }

    public LeaseStatistics Leases { get; }

    public ServerRuntime Runtime { get; }

    public Dhcp6Processor Processor { get; }

    /// <summary>The pipeline's hooks manager (register test callouts on its pre-callouts handle).</summary>
    public Pukeko.Server.Hooks.HooksManager Hooks => Processor.Hooks;

    /// <summary>Replies of parked packets sent after unpark, decoded.</summary>
    public System.Collections.Concurrent.BlockingCollection<Dhcp6Message> ParkedReplies { get; } = [];

    /// <summary>Waits for the next reply of a parked packet; null after <paramref name="timeoutMs"/>.</summary>
    /// <remarks>The default wait is long because only a failing test waits it out; a loaded machine may be slow.</remarks>
    public Dhcp6Message? NextParkedReply(int timeoutMs = 30_000) => ParkedReplies.TryTake(out var reply, timeoutMs) ? reply : null;

    public string InterfaceName { get; set; } = "eth0";

    /// <summary>UDP source port of the next query (546 for clients, 547 or another port for relays).</summary>
    public ushort SourcePort { get; set; } = 546;

    public Ipv6Address Destination { get; set; } = Ipv6Address.AllDhcpRelayAgentsAndServers;

    /// <summary>Encodes, processes and decodes: the reply exactly as it would leave the socket.</summary>
    public (Dhcp6Message? Reply, List<RelayLayer> Relays, OutgoingDatagram? Datagram) Exchange(Dhcp6Message query, IReadOnlyList<RelayLayer>? relays = null, Ipv6Address? source = null)
    {
        relays ??= [];
        var bytes = new byte[Dhcp6Writer.GetLength(query, relays)];
        Dhcp6Writer.Write(query, relays, bytes);
        return ExchangeRaw(bytes, source);
    }

    /// <summary>A datagram as the transport would hand it over: from the client's link-local (or <paramref name="source"/>) on eth0.</summary>
    internal ReceivedDatagram Datagram(byte[] bytes, Ipv6Address? source = null) => new()
    {
        Buffer = bytes,
        Length = bytes.Length,
        RemoteAddress = source ?? ClientLinkLocal,
        RemotePort = SourcePort,
        LocalAddress = Destination,
        LocalPort = 547,
        InterfaceIndex = 2,
        InterfaceName = InterfaceName,
        ReceivedAt = Time.GetUtcNow(),
    };

    public (Dhcp6Message? Reply, List<RelayLayer> Relays, OutgoingDatagram? Datagram) ExchangeRaw(byte[] bytes, Ipv6Address? source = null)
    {
        var datagram = Datagram(bytes, source);
        var output = new byte[9216];
        var parkedBefore = Hooks.ParkedCount;
        var pending = Processor.ProcessAsync(datagram, output);
        OutgoingDatagram? result;
        if (pending.IsCompleted)
        {
            result = pending.Result;
        }
        else
        {
            // Asynchronous: either parked by a callout (its reply comes later, through ParkedReplies) or
            // waiting its turn behind the client's earlier packet or a claim (then it is answered soon).
            var task = pending.AsTask();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!task.IsCompleted && Hooks.ParkedCount <= parkedBefore && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1);
            }

            if (!task.IsCompleted)
            {
                _ = CollectLaterAsync(new ValueTask<OutgoingDatagram?>(task));
                return (null, [], null);
            }

            result = task.Result;
        }

        if (result is not { } outgoing)
        {
            return (null, [], null);
        }

        if (outgoing.Length == 0)
        {
            return (null, [], outgoing); // an empty datagram (a pkt6_send callout skipped packing)
        }

        var relaysOut = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(output.AsSpan(0, outgoing.Length), relaysOut, out var reply));
        return (reply, relaysOut, outgoing);
    }

    /// <summary>Processes a query without waiting: the task completes with the decoded reply, or null when there is none.</summary>
    public Task<Dhcp6Message?> SendAsync(Dhcp6Message query)
    {
        var output = new byte[9216];
        return DecodeAsync(Processor.ProcessAsync(Datagram(Dhcp6Writer.ToArray(query)), output));

        static async Task<Dhcp6Message?> DecodeAsync(ValueTask<OutgoingDatagram?> pending)
        {
            if (await pending is not { Length: > 0 } outgoing)
            {
                return null;
            }

            var relays = new List<RelayLayer>();
            return Dhcp6Parser.TryParse(outgoing.Buffer.AsSpan(0, outgoing.Length), relays, out var reply) == ParseStatus.Ok ? reply : null;
        }
    }

    public void Dispose()
    {
        Hooks.Dispose();
        Store.Dispose();
    }
}

/// <summary>A mutable stand-in for a parsed config, for tests.</summary>
internal sealed class DhcpConfigBuilder
{
    public List<Subnet6> Subnets { get; } =
    [
        new Subnet6
        {
            Id = 1,
            Prefix = Ipv6Prefix.Parse("2001:db8:1::/64"),
            Pools = [new AddressPool { First = Ipv6Address.Parse("2001:db8:1::10"), Last = Ipv6Address.Parse("2001:db8:1::1f") }],
            Interface = "eth0",
            ValidLifetime = new Lifetime(4000, 4000, 4000),
            PreferredLifetime = new Lifetime(3000, 3000, 3000),
        },
    ];

    public List<OptionDescriptor> GlobalOptions { get; } = [];

    public ExpirationConfig Expiration { get; set; } = ExpirationConfig.Default;

    public uint DeclineProbationPeriod { get; set; } = 86400;

    public uint ParkedPacketLimit { get; set; } = 256;

    public DhcpConfig Build() => new()
    {
        Subnets = Subnets,
        GlobalOptions = GlobalOptions,
        LeaseDatabase = new LeaseDatabaseConfig("memfile", "/nonexistent/leases.csv", false, 0, 0),
        ExpiredLeasesProcessing = Expiration,
        DeclineProbationPeriod = DeclineProbationPeriod,
        ParkedPacketLimit = ParkedPacketLimit,
        Source = JsonDocument.Parse("{}").RootElement.Clone(),
    };
}
