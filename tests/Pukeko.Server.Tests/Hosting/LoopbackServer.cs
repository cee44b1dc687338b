using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Hosting;

/// <summary>
/// A real <see cref="Dhcp6Server"/> serving the loopback interface on a free UDP port, and a client
/// socket on [::1] that exchanges packets with it through the real transport (socket, queue,
/// workers). The client sends unicast Requests: the server answers those, while a Solicit has to
/// arrive by multicast, which loopback does not carry.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly Socket _client;
    private readonly SemaphoreSlim _exchange = new(1, 1);

    private LoopbackServer(TempDirectory root, Dhcp6Server server, string configFile, Socket client, ushort serverPort)
    {
        ServerPort = serverPort;
        Root = root;
        Server = server;
        ConfigFile = configFile;
        _client = client;
    }

    public TempDirectory Root { get; }

    public Dhcp6Server Server { get; }

    public string ConfigFile { get; }

    public ushort ServerPort { get; }

    /// <summary>A Dhcp6 map serving a /64 on "lo" with a large pool; the lease file is relative to the data directory unless absolute.</summary>
    public static JsonObject Dhcp6(string leaseFile = "leases.csv", uint lfcInterval = 0, int threads = 2) =>
        (JsonObject)JsonNode.Parse($$"""
        {
          "interfaces-config": { "interfaces": [ "lo" ] },
          "lease-database": { "type": "memfile", "name": "{{leaseFile}}", "lfc-interval": {{lfcInterval}} },
          "multi-threading": { "enable-multi-threading": true, "thread-pool-size": {{threads}}, "packet-queue-size": 64 },
          "valid-lifetime": 4000, "preferred-lifetime": 3000,
          "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lo", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::ffff" } ] } ]
        }
        """)!;

    public static async Task<LoopbackServer> StartAsync(JsonObject? dhcp6 = null, Action<Dhcp6Server>? prepare = null, ILoggerFactory? loggers = null)
    {
        var root = new TempDirectory();
        var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        Dhcp6Server? server = null;
        try
        {
            client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            var clientPort = (ushort)((IPEndPoint)client.LocalEndPoint!).Port;
            var environment = new ConfigEnvironment(
                Path.Combine(root.Path, "data"), Path.Combine(root.Path, "log"), Path.Combine(root.Path, "run"), Path.Combine(root.Path, "hooks"));
            Directory.CreateDirectory(environment.DataDirectory);
            var configFile = root.Write("etc/kea-dhcp6.conf", Document(dhcp6 ?? Dhcp6()));
            var serverPort = (ushort)LoopbackPorts.Free();
            server = new Dhcp6Server(new ServerOptions(configFile, serverPort, clientPort), environment, loggers ?? NullLoggerFactory.Instance, TimeProvider.System);
            prepare?.Invoke(server);
            await server.StartAsync();
            return new LoopbackServer(root, server, configFile, client, serverPort);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            client.Dispose();
            root.Dispose();
            throw;
        }
    }

    public static Duid Client(int number) => Duid.CreateLlt(1, 700_000_000, [0x02, 0x00, 0x00, 0x00, (byte)(number >> 8), (byte)number]);

    public static string Document(JsonObject dhcp6) => new JsonObject { ["Dhcp6"] = dhcp6.DeepClone() }.ToJsonString();

    public async Task<JsonObject> CommandAsync(string json) =>
        await Server.Commands.ExecuteAsync(Encoding.UTF8.GetBytes(json), CancellationToken.None);

    public Task<JsonObject> ConfigSetAsync(JsonObject dhcp6) =>
        CommandAsync(new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = dhcp6.DeepClone() } }.ToJsonString());

    /// <summary>
    /// Sends a unicast Request for one address from <paramref name="client"/> and returns the
    /// address the Reply acknowledges, or null when no Reply with a leased address came in time.
    /// </summary>
    public async Task<Pukeko.Protocol.Addressing.Ipv6Address?> RequestAsync(Duid client, TimeSpan timeout)
    {
        var query = ClientMessages.Create(MessageType.Request, serverId: Server.Processor!.Runtime.ServerDuid, clientId: client);
        var bytes = new byte[Dhcp6Writer.GetLength(query, [])];
        Dhcp6Writer.Write(query, [], bytes);
        var server = new IPEndPoint(IPAddress.IPv6Loopback, ServerPort);

        await _exchange.WaitAsync();
        try
        {
            await _client.SendToAsync(bytes, SocketFlags.None, server);
            using var deadline = new CancellationTokenSource(timeout);
            var buffer = new byte[9216];
            while (true)
            {
                int received;
                try
                {
                    received = (await _client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), deadline.Token)).ReceivedBytes;
                }
                catch (OperationCanceledException)
                {
                    return null;
                }

                var relays = new List<RelayLayer>();
                if (Dhcp6Parser.TryParse(buffer.AsSpan(0, received), relays, out var reply) != ParseStatus.Ok || reply is null)
                {
                    continue;
                }

                // A late answer to an earlier client that timed out is not this one's.
                if (reply.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid != client)
                {
                    continue;
                }

                return reply.Type == MessageType.Reply && ClientMessages.AddressOf(reply) is { ValidLifetime: > 0 } leased ? leased.Address : null;
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>Sends a unicast Request from <paramref name="client"/> without waiting for the answer (see <see cref="ReceiveRepliesAsync"/>).</summary>
    public async Task SendRequestAsync(Duid client)
    {
        var query = ClientMessages.Create(MessageType.Request, serverId: Server.Processor!.Runtime.ServerDuid, clientId: client);
        var bytes = new byte[Dhcp6Writer.GetLength(query, [])];
        Dhcp6Writer.Write(query, [], bytes);
        await _client.SendToAsync(bytes, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));
    }

    /// <summary>
    /// The clients whose Replies arrive within <paramref name="timeout"/>, in arrival order, until
    /// <paramref name="count"/> have come. Not to be mixed with <see cref="RequestAsync"/> at the same time.
    /// </summary>
    public async Task<List<Duid>> ReceiveRepliesAsync(int count, TimeSpan timeout)
    {
        var answered = new List<Duid>();
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[9216];
        while (answered.Count < count)
        {
            int received;
            try
            {
                received = (await _client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), deadline.Token)).ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var relays = new List<RelayLayer>();
            if (Dhcp6Parser.TryParse(buffer.AsSpan(0, received), relays, out var reply) == ParseStatus.Ok
                && reply is { Type: MessageType.Reply }
                && reply.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid is { } client)
            {
                answered.Add(client);
            }
        }

        return answered;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _client.Dispose();
        _exchange.Dispose();
        Root.Dispose();
    }
}
