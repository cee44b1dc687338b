using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Crash consistency (issue 15): the real server under load from many fresh clients is killed with
/// SIGKILL at random moments, some of them while the lease file cleanup (LFC) runs, and restarted
/// on the same files each time. Every lease a client saw acknowledged must be in the store the
/// restarted server serves, held by that client, and no address may ever be acknowledged to two
/// clients.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CrashConsistencyTests(ITestOutputHelper output) : IDisposable
{
    private const int KillPoints = 100;
    private const int Senders = 4;
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);
    private static readonly Ipv6Address RelayLink = Ipv6Address.Parse("2001:db8:1::1");

    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-crash-").FullName;
    private Process? _server;

    [Fact]
    public async Task Leases_acknowledged_before_a_SIGKILL_are_all_served_after_the_restart_and_no_address_goes_to_two_clients()
    {
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var clientPort = (ushort)((IPEndPoint)client.LocalEndPoint!).Port;
        var serverPort = FreePort();
        var configFile = WriteConfig();
        var leaseFile = Path.Combine(_directory, "leases.csv");

        var acknowledged = new ConcurrentDictionary<Ipv6Address, byte[]>();
        var twice = new ConcurrentBag<string>();
        var random = new Random(Environment.TickCount);
        var insideCleanup = 0;
        var clientNumber = 0;
        for (var kill = 0; kill < KillPoints; kill++)
        {
            var cycleStart = DateTime.UtcNow;
            StartServer(configFile, serverPort, clientPort);
            var duration = TimeSpan.FromMilliseconds(random.Next(30, 500));
            using var stop = new CancellationTokenSource(duration);
            var pending = new ConcurrentDictionary<uint, byte[]>();
            var receiver = ReceiveAsync(client, pending, acknowledged, twice);
            var senders = Enumerable.Range(0, Senders)
                .Select(_ => SendAsync(client, serverPort, pending, () => (uint)Interlocked.Increment(ref clientNumber), stop.Token))
                .ToArray();
            await Task.WhenAll(senders);

            // Every other kill aims at a cleanup: kea-lfc-start, then the kill a few milliseconds later.
            if (kill % 2 == 1)
            {
                await CommandAsync("""{ "command": "kea-lfc-start" }""");
                await Task.Delay(random.Next(0, 20));
            }

            // SIGKILL now, with requests in flight; whether a cleanup was under way is read just before.
            if (CleanupUnderWay(leaseFile, cycleStart))
            {
                insideCleanup++;
            }

            _server!.Kill();
            await _server.WaitForExitAsync();
            _server.Dispose();
            _server = null;

            // Replies already on their way were sent before the kill: they count as acknowledged.
            await Task.Delay(50);
            receiver.Cancel();
            await receiver.Completion;
        }

        // The final restart serves what the files say.
        StartServer(configFile, serverPort, clientPort);
        var stored = await LeasesServedAsync();
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var holder) || !holder.AsSpan().SequenceEqual(a.Value)).Select(a => a.Key.ToString()).ToList();
        output.WriteLine($"{KillPoints} SIGKILLs ({insideCleanup} during a lease file cleanup), {clientNumber} clients sent, {acknowledged.Count} leases acknowledged, {stored.Count} served after the last restart, {lost.Count} lost, {twice.Count} addresses acknowledged to two clients");
        Assert.Empty(twice);
        Assert.Empty(lost);
        Assert.True(acknowledged.Count > KillPoints, "the load acknowledged too few leases to prove anything");
        Assert.True(insideCleanup > 0, "no kill landed during a lease file cleanup");
    }

    private string WriteConfig()
    {
        var socket = Path.Combine(_directory, "ctrl.sock");
        var config = $$"""
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "lo" ] },
            "lease-database": { "type": "memfile", "name": "{{Path.Combine(_directory, "leases.csv")}}", "persist": true, "lfc-interval": 1 },
            "control-socket": { "socket-type": "unix", "socket-name": "{{socket}}" },
            "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 },
            "valid-lifetime": 40000, "preferred-lifetime": 30000,
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
              "pools": [ { "pool": "2001:db8:1::1:0-2001:db8:1::ffff:ffff" } ]
            } ],
            "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
          }
        }
        """;
        var file = Path.Combine(_directory, "kea-dhcp6.conf");
        File.WriteAllText(file, config);
        return file;
    }

    private void StartServer(string configFile, ushort serverPort, ushort clientPort)
    {
        var info = new ProcessStartInfo(ServerProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", configFile, "-p", serverPort.ToString(CultureInfo.InvariantCulture), "-P", clientPort.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var variable in new[] { "KEA_DHCP_DATA_DIR", "KEA_LOG_FILE_DIR", "KEA_PIDFILE_DIR", "KEA_CONTROL_SOCKET_DIR" })
        {
            info.Environment[variable] = _directory;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StringBuilder();
        var server = Process.Start(info)!;
        _server = server;
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data.Contains("DHCP6_STARTED", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        }

        server.OutputDataReceived += OnLine;
        server.ErrorDataReceived += OnLine;
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        if (!started.Task.Wait(StartPatience))
        {
            lock (log)
            {
                throw new TimeoutException("the server did not start: " + log);
            }
        }
    }

    /// <summary>A Solicit with Rapid Commit from a new client, relayed (a unicast Solicit would be refused), answered at once.</summary>
    private static async Task SendAsync(Socket socket, ushort serverPort, ConcurrentDictionary<uint, byte[]> pending, Func<uint> nextClient, CancellationToken stop)
    {
        var server = new IPEndPoint(IPAddress.IPv6Loopback, serverPort);
        while (!stop.IsCancellationRequested)
        {
            var number = nextClient();
            var duid = Duid.CreateLl(1, [0x02, (byte)(number >> 24), (byte)(number >> 16), (byte)(number >> 8), (byte)number, 0x01]);
            var solicit = new Dhcp6Message(MessageType.Solicit, number & 0xffffff);
            solicit.Options.Add(new DuidOption(OptionCode.ClientId, duid));
            solicit.Options.Add(new ElapsedTimeOption(0));
            solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
            solicit.Options.Add(new IaNaOption(1, 0, 0));
            var relay = new RelayLayer { Type = MessageType.RelayForward, HopCount = 0, LinkAddress = RelayLink, PeerAddress = Ipv6Address.Parse("fe80::1") };
            relay.Options.Add(new RelaySourcePortOption(0));
            pending[number & 0xffffff] = duid.ToArray();
            await socket.SendToAsync(Dhcp6Writer.ToArray(solicit, [relay]), SocketFlags.None, server);
            try
            {
                await Task.Delay(3, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Collects the Replies: an address leased to a client that asked for it is acknowledged.</summary>
    private static Receiver ReceiveAsync(Socket socket, ConcurrentDictionary<uint, byte[]> pending, ConcurrentDictionary<Ipv6Address, byte[]> acknowledged, ConcurrentBag<string> twice)
    {
        var cancel = new CancellationTokenSource();
        var completion = Task.Run(async () =>
        {
            var buffer = new byte[9216];
            while (true)
            {
                int received;
                try
                {
                    received = (await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), cancel.Token)).ReceivedBytes;
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var relays = new List<RelayLayer>();
                if (Dhcp6Parser.TryParse(buffer.AsSpan(0, received), relays, out var reply) != ParseStatus.Ok
                    || reply is not { Type: MessageType.Reply }
                    || !pending.TryRemove(reply.TransactionId, out var duid)
                    || reply.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid.ToArray() is not { } echoed
                    || !echoed.AsSpan().SequenceEqual(duid))
                {
                    continue;
                }

                foreach (var option in reply.Options)
                {
                    if (option is IaNaOption ia && ia.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { ValidLifetime: > 0 } leased)
                    {
                        var holder = acknowledged.GetOrAdd(leased.Address, duid);
                        if (!holder.AsSpan().SequenceEqual(duid))
                        {
                            twice.Add(leased.Address.ToString());
                        }
                    }
                }
            }
        });
        return new Receiver(cancel, completion);
    }

    private sealed record Receiver(CancellationTokenSource Cancellation, Task Completion)
    {
        public void Cancel() => Cancellation.Cancel();
    }

    /// <summary>
    /// A cleanup of this cycle is between the steps of Kea's LFC protocol: one of its files exists and
    /// was written since the cycle began (a file an earlier killed cleanup left behind is older).
    /// </summary>
    private static bool CleanupUnderWay(string leaseFile, DateTime since) =>
        new[] { ".1", ".output", ".completed" }.Any(suffix => File.Exists(leaseFile + suffix) && File.GetLastWriteTimeUtc(leaseFile + suffix) >= since);

    /// <summary>Every lease the running server serves, by address, with its DUID (<c>lease6-get-all</c> on the control socket).</summary>
    private async Task<Dictionary<Ipv6Address, byte[]>> LeasesServedAsync()
    {
        var answer = await CommandAsync("""{ "command": "lease6-get-all" }""");
        var served = new Dictionary<Ipv6Address, byte[]>();
        foreach (var lease in answer["arguments"]!["leases"]!.AsArray())
        {
            var duid = Convert.FromHexString(lease!["duid"]!.GetValue<string>().Replace(":", string.Empty, StringComparison.Ordinal));
            served[Ipv6Address.Parse(lease["ip-address"]!.GetValue<string>())] = duid;
        }

        return served;
    }

    /// <summary>One command on the server's Unix control socket; the answer once it is complete JSON.</summary>
    private async Task<JsonNode> CommandAsync(string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(_directory, "ctrl.sock")));
        await socket.SendAsync(Encoding.UTF8.GetBytes(command), SocketFlags.None);
        var answer = new MemoryStream();
        var buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                return JsonNode.Parse(answer.ToArray())!;
            }

            answer.Write(buffer, 0, read);
            try
            {
                return JsonNode.Parse(answer.ToArray())!;
            }
            catch (System.Text.Json.JsonException)
            {
                // not complete yet
            }
        }
    }

    private static ushort FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        return (ushort)((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
