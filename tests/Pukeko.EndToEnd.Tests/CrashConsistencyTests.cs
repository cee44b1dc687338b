using System.Net.Sockets;
using System.Net;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Tests.Support;
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

    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-crash-").FullName;
    private LoopbackServer? _server;

    [Fact]
    public async Task Leases_acknowledged_before_a_SIGKILL_are_all_served_after_the_restart_and_no_address_goes_to_two_clients()
    {
        var serverPort = (ushort)LoopbackPorts.Free();
        using var load = new FreshClientLoad(serverPort);
        var configFile = WriteConfig();
        var leaseFile = Path.Combine(_directory, "leases.csv");

        var random = new Random(Environment.TickCount);
        var insideCleanup = 0;
        for (var kill = 0; kill < KillPoints; kill++)
        {
            var cycleStart = DateTime.UtcNow;
            _server = LoopbackServer.Start(configFile, _directory, serverPort, load.ClientPort, StartPatience);
            load.BeginRound();
            using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(30, 500))))
            {
                await load.SendAsync(Senders, stop.Token);
            }

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

            await _server.KillAsync();
            _server.Dispose();
            _server = null;
            await load.EndRoundAsync();
        }

        // The final restart serves what the files say.
        _server = LoopbackServer.Start(configFile, _directory, serverPort, load.ClientPort, StartPatience);
        var stored = await LeasesServedAsync();
        var acknowledged = load.Acknowledged;
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var holder) || !holder.AsSpan().SequenceEqual(a.Value)).Select(a => a.Key.ToString()).ToList();
        output.WriteLine($"{KillPoints} SIGKILLs ({insideCleanup} during a lease file cleanup), {load.ClientsSent} clients sent, {acknowledged.Count} leases acknowledged, {stored.Count} served after the last restart, {lost.Count} lost, {load.AcknowledgedTwice.Count} addresses acknowledged to two clients");
        Assert.Empty(load.AcknowledgedTwice);
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

    private Task<JsonNode> CommandAsync(string command) => LoopbackServer.CommandAsync(Path.Combine(_directory, "ctrl.sock"), command);

    public void Dispose()
    {
        _server?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
