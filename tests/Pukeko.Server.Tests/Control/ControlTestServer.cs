using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Hosting;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// A real <see cref="Dhcp6Server"/> in a temporary prefix (config, data, socket and log directories), with a UNIX
/// control socket and an HTTP listener on 127.0.0.1 (ephemeral port). DHCP queries go straight into its pipeline.
/// </summary>
internal sealed class ControlTestServer : IAsyncDisposable
{
    private static int s_nextPort = 20000 + (System.Environment.ProcessId % 20000);

    private ControlTestServer(TempDirectory root, Dhcp6Server server, ConfigEnvironment environment, string configFile)
    {
        Root = root;
        Server = server;
        Environment = environment;
        ConfigFile = configFile;
    }

    public TempDirectory Root { get; }

    public Dhcp6Server Server { get; }

    public ConfigEnvironment Environment { get; }

    public string ConfigFile { get; }

    public string SocketPath => Path.Combine(Environment.ControlSocketDirectory, "ctrl");

    public int HttpPort => Server.ControlChannels.HttpListeners.Single().Port;

    /// <summary>The Dhcp6 map used unless a test gives its own; <paramref name="extra"/> is merged into it.</summary>
    public static JsonObject DefaultDhcp6(string subnet = "2001:db8:1::/64", string pool = "2001:db8:1::10-2001:db8:1::1f", string? authentication = null) =>
        (JsonObject)JsonNode.Parse($$"""
        {
          "interfaces-config": { "interfaces": [] },
          "lease-database": { "type": "memfile", "name": "leases.csv" },
          "valid-lifetime": 4000, "preferred-lifetime": 3000,
          "subnet6": [ { "id": 1, "subnet": "{{subnet}}", "interface": "eth0", "pools": [ { "pool": "{{pool}}" } ] } ],
          "control-sockets": [
            { "socket-type": "unix", "socket-name": "ctrl" },
            { "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": 0 {{authentication}} }
          ]
        }
        """)!;

    /// <summary>
    /// Starts the server; <paramref name="hostDatabase"/> stands in for PostgreSQL behind a <c>hosts-database</c>,
    /// <paramref name="leaseDatabase"/> behind a <c>lease-database</c> of type postgresql.
    /// </summary>
    public static async Task<ControlTestServer> StartAsync(
        JsonObject? dhcp6 = null, TimeProvider? time = null, Action<TempDirectory>? prepare = null, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null,
        bool relaxedSecurity = false, Pukeko.Server.Reservations.IHostDataSource? hostDatabase = null,
        Pukeko.Server.Leases.ILeaseStore? leaseDatabase = null)
    {
        var root = new TempDirectory();
        prepare?.Invoke(root);
        var environment = new ConfigEnvironment(
            Path.Combine(root.Path, "data"), Path.Combine(root.Path, "log"), Path.Combine(root.Path, "run"), Path.Combine(root.Path, "hooks"))
        {
            RelaxedSecurity = relaxedSecurity,
        };
        Directory.CreateDirectory(environment.DataDirectory);
        // "{ROOT}" in the configuration stands for the temporary prefix (for credential files and the like).
        var text = new JsonObject { ["Dhcp6"] = dhcp6 ?? DefaultDhcp6() }.ToJsonString().Replace("{ROOT}", root.Path, StringComparison.Ordinal);
        var configFile = root.Write("etc/kea-dhcp6.conf", text);
        var port = (ushort)Interlocked.Increment(ref s_nextPort);
        var server = new Dhcp6Server(
            new ServerOptions(configFile, port)
            {
                Version = new ServerVersion("9.9.9", "9.9.9 extended", "build report text"),
                OpenPostgreSqlHostSource = hostDatabase is null ? null : (_, _, _) => Task.FromResult(hostDatabase),
                OpenPostgreSqlLeaseStore = leaseDatabase is null ? null : (_, _, _) => Task.FromResult(leaseDatabase),
            },
            environment,
            loggers ?? NullLoggerFactory.Instance,
            time ?? TimeProvider.System);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            root.Dispose();
            throw;
        }

        return new ControlTestServer(root, server, environment, configFile);
    }

    public async Task<JsonObject> CommandAsync(string json) =>
        await Server.Commands.ExecuteAsync(Encoding.UTF8.GetBytes(json), CancellationToken.None);

    /// <summary>Sends raw bytes over the UNIX socket (optionally in pieces) and returns the whole answer text.</summary>
    public async Task<string> UnixAsync(params string[] pieces)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        foreach (var piece in pieces)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(piece), SocketFlags.None);
            await Task.Delay(20);
        }

        return await ReadAllAsync(socket);
    }

    public static async Task<string> ReadAllAsync(Socket socket)
    {
        var buffer = new byte[65536];
        var answer = new MemoryStream();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>A Solicit from a direct client on eth0, through the running pipeline; the reply or null.</summary>
    public Dhcp6Message? Solicit(uint iaid = 1)
    {
        var query = ClientMessages.Create(MessageType.Solicit, iaid);
        var bytes = new byte[Dhcp6Writer.GetLength(query, [])];
        Dhcp6Writer.Write(query, [], bytes);
        var datagram = new ReceivedDatagram
        {
            Buffer = bytes,
            Length = bytes.Length,
            RemoteAddress = PipelineHarness.ClientLinkLocal,
            RemotePort = 546,
            LocalAddress = Pukeko.Protocol.Addressing.Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = "eth0",
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        var output = new byte[9216];
        var pending = Server.Processor!.ProcessAsync(datagram, output);
        var result = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (result is not { } outgoing)
        {
            return null;
        }

        var relays = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(output.AsSpan(0, outgoing.Length), relays, out var reply));
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Root.Dispose();
    }
}
