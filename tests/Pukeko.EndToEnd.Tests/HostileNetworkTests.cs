using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// One client floods Solicits while perfdhcp, from the same link, runs full exchanges for many well-behaved clients.
/// With the built-in limits library and a per-client rate limit (a template class on the client-id, as Kea's manual
/// suggests), the flood is cut to the limit and counted, and the others are served at the rate they ask for.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostileNetworkTests(ITestOutputHelper output) : IDisposable
{
    // The flooder's own client-id (a DUID-LL), distinct from the DUID-LLTs perfdhcp derives for the good clients.
    private const string FlooderDuid = "00030001020000000bad";
    private const int FloodSeconds = 30; // past the good run (at most 3 + 20 + 2 s) with room to spare
    private const int FloodRate = 3000;
    private const int PerClientLimit = 5;

    // The good clients: a modest rate, each client a new DUID doing one four-way exchange.
    private const int GoodRate = 100;
    private const int GoodExchanges = 1500;

    // The floor asserted: of a modest offered rate, at least this much completes while the flood runs, on a busy
    // two-core machine shared with the flooder and perfdhcp themselves.
    private const double ServedFloor = 0.90;

    private readonly NetworkLab _lab = new();
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-hostile-").FullName;

    private static string Config(bool limited) => InteropConfigs.Shared(pool: "2001:db8:1::1:0/112", extra: $$"""
        "control-sockets": [ { "socket-type": "unix", "socket-name": "ctrl" } ],
        {{(limited ? """
        "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_limits.so" } ],
        "client-classes": [ { "name": "per-client", "template-test": "option[1].hex",
            "user-context": { "limits": { "rate-limit": "5 packets per second" } } } ],
        """ : "")}}
        """);

    [Fact]
    public void With_a_per_client_rate_limit_a_flooding_client_is_cut_to_its_limit_and_the_others_are_served()
    {
        var (good, flood, stats) = Measure(limited: true);
        var context = good.Output + "\n--- flooder ---\n" + flood.Output;
        Assert.True(good.SolicitAdvertise.Received >= ServedFloor * good.SolicitAdvertise.Sent, context);
        Assert.True(good.RequestReply.Received >= ServedFloor * good.SolicitAdvertise.Sent, context);

        // The flooder was answered no more than its limit allows over the run (plus a window at each end); the rest
        // of the flood was dropped by the limit and counted.
        Assert.True(flood.SolicitAdvertise.Sent > 10 * PerClientLimit * FloodSeconds, "the flood was no flood\n" + context);
        Assert.InRange(FloodAnswered(good, stats), 1, PerClientLimit * (FloodSeconds + 4));
        Assert.True(stats["pkt6-limit-exceeded"] >= 0.9 * flood.SolicitAdvertise.Sent, context);
        Assert.True(stats["pkt6-receive-drop"] >= stats["pkt6-limit-exceeded"]);
    }

    [Fact]
    public void Without_a_limit_the_flooding_client_is_answered_and_the_others_still_served()
    {
        // The comparison for docs/reliability.md: what the flood costs when nothing limits it.
        var (good, flood, stats) = Measure(limited: false);
        Assert.Equal(0, stats["pkt6-limit-exceeded"]);
        Assert.True(good.SolicitAdvertise.Received > 0, good.Output);
        Assert.True(FloodAnswered(good, stats) > 10 * PerClientLimit * FloodSeconds, flood.Output);
    }

    [Fact]
    public void A_datagram_larger_than_the_server_takes_is_dropped_whole_and_counted_not_parsed_cut_short()
    {
        using var server = ServerProcess.Start(_lab, Config(limited: false), _serverDir);
        var before = Statistics(server);

        // Valid Solicits made of IA_NAs: one that fits the 9216 bytes taken, one of 12000 bytes that, cut at any IA
        // boundary, would still parse.
        Send(Solicit(9000));
        Send(Solicit(12000));
        Assert.True(
            Run.WaitFor(() => Statistics(server) is var now && now["pkt6-parse-failed"] > before["pkt6-parse-failed"] && now["pkt6-advertise-sent"] > before["pkt6-advertise-sent"], TimeSpan.FromSeconds(20)),
            server.Output);
        Thread.Sleep(500); // anything more would show up now
        var after = Statistics(server);
        Assert.Equal(1, after["pkt6-parse-failed"] - before["pkt6-parse-failed"]);
        Assert.Equal(1, after["pkt6-solicit-received"] - before["pkt6-solicit-received"]);
        Assert.Equal(1, after["pkt6-advertise-sent"] - before["pkt6-advertise-sent"]);
    }

    /// <summary>A Solicit of about <paramref name="size"/> bytes: a client-id, then IA_NAs with IAIDs 1, 2...</summary>
    private static byte[] Solicit(int size)
    {
        var bytes = new List<byte> { 1, 0x12, 0x34, 0x56, 0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0x0b, 0xad };
        for (var iaid = 1; bytes.Count + 16 <= size; iaid++)
        {
            bytes.AddRange([0, 3, 0, 12, (byte)(iaid >> 24), (byte)(iaid >> 16), (byte)(iaid >> 8), (byte)iaid, 0, 0, 0, 0, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    /// <summary>Sends <paramref name="payload"/> from the client namespace to All_DHCP_Relay_Agents_and_Servers.</summary>
    private void Send(byte[] payload)
    {
        var script = $"import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(bytes.fromhex('{Convert.ToHexString(payload)}'), ('ff02::1:2%{_lab.ClientInterface}', 547))";
        Run.Checked("ip", "netns", "exec", _lab.ClientNamespace, "python3", "-c", script);
    }

    /// <summary>
    /// Advertises the server sent to the flooder: all it sent, less one per good client that got one. (perfdhcp does
    /// not count the flooder's own answers when it sends from another port, so the server's count is used.)
    /// </summary>
    private static long FloodAnswered(PerfdhcpReport good, Dictionary<string, long> stats) =>
        stats["pkt6-advertise-sent"] - good.SolicitAdvertise.Received;

    private (PerfdhcpReport Good, PerfdhcpReport Flood, Dictionary<string, long> Stats) Measure(bool limited)
    {
        using var server = ServerProcess.Start(_lab, Config(limited), _serverDir);

        // Warm-up, not measured (JIT), as the perfdhcp interop test does.
        var warmUp = Perfdhcp.Run(_lab, 60, "-r", "100", "-R", "100", "-n", "100", "-p", "10", "-W", "1000000");
        Assert.True(warmUp.RequestReply.Received > 0, warmUp.Output + server.Output);
        var before = Statistics(server);

        // The flooder: Solicits only (-i), one client (no -R), from its own port so it runs beside the good clients.
        using var flooder = Start("timeout", (FloodSeconds + 20).ToString(CultureInfo.InvariantCulture), "ip", "netns", "exec", _lab.ClientNamespace, Perfdhcp.Executable,
            "-6", "-l", _lab.ClientInterface, "-L", "10546", "-i", "-b", "duid=" + FlooderDuid,
            "-r", FloodRate.ToString(CultureInfo.InvariantCulture), "-p", FloodSeconds.ToString(CultureInfo.InvariantCulture), "-W", "1000000");
        var floodOutput = Collect(flooder);
        Thread.Sleep(TimeSpan.FromSeconds(3));

        var clock = Stopwatch.StartNew();
        var good = Perfdhcp.Run(_lab, 90, "-r", GoodRate.ToString(CultureInfo.InvariantCulture), "-R", GoodExchanges.ToString(CultureInfo.InvariantCulture),
            "-n", GoodExchanges.ToString(CultureInfo.InvariantCulture), "-p", "20", "-t", "1", "-W", "2000000");
        clock.Stop();
        var floodRunning = !flooder.HasExited;
        Assert.True(flooder.WaitForExit(TimeSpan.FromSeconds(FloodSeconds + 30)));
        var flood = Perfdhcp.Parse(flooder.ExitCode, floodOutput());
        var after = Statistics(server);
        var stats = after.ToDictionary(kv => kv.Key, kv => kv.Value - before.GetValueOrDefault(kv.Key));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"limited={limited}: good clients {good.SolicitAdvertise.Sent} Solicits, {good.SolicitAdvertise.Received} Advertise, {good.RequestReply.Received} Reply in {clock.Elapsed.TotalSeconds:0.0} s (flood still running at the end: {floodRunning})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flooder: {flood.SolicitAdvertise.Sent} Solicits in {FloodSeconds} s ({flood.SolicitAdvertise.Sent / (double)FloodSeconds:0} /s), {FloodAnswered(good, stats)} answered"));
        output.WriteLine("server: " + string.Join(", ", stats.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} +{kv.Value}")));
        Assert.False(server.HasExited, server.Output);
        Assert.True(floodRunning, "the flood ended before the good clients were done\n" + flood.Output);
        return (good, flood, stats);
    }

    private static Dictionary<string, long> Statistics(ServerProcess server)
    {
        var answer = Run.Checked("bash", "-c", $"printf '%s' '{{\"command\": \"statistic-get-all\"}}' | socat -t 5 UNIX:{Path.Combine(server.Directory, "ctrl")} -");
        var arguments = JsonNode.Parse(answer)!["arguments"]!.AsObject();
        return arguments
            .Where(kv => kv.Key.StartsWith("pkt6-", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value![0]![0]!.GetValue<long>());
    }

    private static Process Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>Reads the process's output as it comes (so a full pipe never stalls it); the function returns it all.</summary>
    private static Func<string> Collect(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return () => stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_serverDir, recursive: true);
    }
}
