using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Benchmarks.Pipeline;

/// <summary>
/// The whole pipeline in-process, no sockets: datagram in, encoded reply out. Solicit is a fake
/// allocation (nothing stored); Request commits a lease to a memory-only store, with a new client
/// each time so the pool keeps allocating.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private Dhcp6Processor _processor = null!;
    private MemfileLeaseStore _store = null!;
    private ReceivedDatagram _solicit = null!;
    private byte[] _request = [];
    private readonly byte[] _output = new byte[1500];
    private uint _client;
    private Duid _serverDuid = null!;

    [GlobalSetup]
    public void Setup()
    {
        var subnet = new Subnet6
        {
            Id = 1,
            Prefix = Ipv6Prefix.Parse("2001:db8::/64"),
            Pools = [new AddressPool { First = Ipv6Address.Parse("2001:db8::1:0"), Last = Ipv6Address.Parse("2001:db8::ffff:ffff") }],
            Interface = "eth0",
            ValidLifetime = Lifetime.Fixed(4000),
            PreferredLifetime = Lifetime.Fixed(3000),
        };
        var config = new DhcpConfig
        {
            Subnets = [subnet],
            LeaseDatabase = new LeaseDatabaseConfig("memfile", "/nonexistent", false, 0, 0),
            Source = JsonDocument.Parse("{}").RootElement.Clone(),
        };
        _store = new MemfileLeaseStore(new MemfileOptions("/nonexistent", Persist: false), NullLogger.Instance, TimeProvider.System);
        _store.Open();
        var registry = new StatisticsRegistry();
        var packets = new PacketStatistics(registry);
        var leases = new LeaseStatistics(registry);
        _serverDuid = Duid.CreateLlt(1, 1, [2, 0, 0, 0, 0, 2]);
        _processor = new Dhcp6Processor(new ServerRuntime(config, _serverDuid), new AllocationEngine(_store, leases, packets, NullLogger.Instance), packets, leases, NullLoggerFactory.Instance, TimeProvider.System);
        _solicit = Datagram(Message(MessageType.Solicit, 1, null));
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark]
    public int SolicitToAdvertise() => Completed(_processor.ProcessAsync(_solicit, _output));

    [Benchmark]
    public int RequestToReply()
    {
        _request = Dhcp6Writer.ToArray(Message(MessageType.Request, ++_client, _serverDuid));
        return Completed(_processor.ProcessAsync(Datagram(_request), _output));
    }

    /// <summary>Without hook libraries nothing parks: the pipeline completes before it returns.</summary>
    private static int Completed(ValueTask<OutgoingDatagram?> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result!.Value.Length : throw new InvalidOperationException("the pipeline went asynchronous");

    private static Dhcp6Message Message(MessageType type, uint client, Duid? server)
    {
        var message = new Dhcp6Message(type, 0x1234);
        message.Options.Add(new DuidOption(OptionCode.ClientId, Duid.CreateLl(1, [2, 0, (byte)(client >> 24), (byte)(client >> 16), (byte)(client >> 8), (byte)client])));
        if (server is not null)
        {
            message.Options.Add(new DuidOption(OptionCode.ServerId, server));
        }

        message.Options.Add(new ElapsedTimeOption(0));
        message.Options.Add(new IaNaOption(1, 0, 0));
        return message;
    }

    private static ReceivedDatagram Datagram(Dhcp6Message message) => Datagram(Dhcp6Writer.ToArray(message));

    private static ReceivedDatagram Datagram(byte[] bytes) => new()
    {
        Buffer = bytes,
        Length = bytes.Length,
        RemoteAddress = Ipv6Address.Parse("fe80::1"),
        RemotePort = 546,
        LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
        LocalPort = 547,
        InterfaceIndex = 2,
        InterfaceName = "eth0",
    };
}
