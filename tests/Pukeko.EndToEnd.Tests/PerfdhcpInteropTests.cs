using System.Globalization;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// ISC perfdhcp, Kea's own load generator, driving full Solicit-Advertise-Request-Reply
/// exchanges for many distinct clients against <c>pukeko-dhcp6</c>, with the lease file on.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PerfdhcpInteropTests : IDisposable
{
    private const int Exchanges = 2000;

    // A functional bound, not ISC's 2.5 % benchmark criterion: CI shares two cores with perfdhcp and
    // whatever else runs, and one scheduling stall of 0.3 s at 500/s already loses 150 Solicits.
    // The throughput comparison with the strict criterion lives in bench/perfdhcp-compare.sh.
    private const double MaxDropRatio = 0.15;

    private readonly NetworkLab _lab = new();
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-perfdhcp-").FullName;

    [Fact]
    public void PerfdhcpCompletesTwoThousandFourWayExchangesAndEveryClientIsStored()
    {
        // A pool larger than the number of clients, so every exchange can get an address.
        using var server = ServerProcess.Start(_lab, InteropConfigs.Shared(pool: "2001:db8:1::1:0/112"), _serverDir);

        // Warm-up, not measured: the first packets after start pay for JIT compilation, and on a
        // busy machine that alone can overflow the 64-packet queue for a moment.
        var warmUp = Perfdhcp.Run(_lab, 60, "-r", "100", "-R", "100", "-n", "100", "-p", "10", "-W", "1000000");
        Assert.True(warmUp.SolicitAdvertise.Received > 0, warmUp.Output + server.Output);

        // -R = -n: one new client (perfdhcp steps the MAC in its DUID-LLT) per exchange, at 500
        // per second at most, stopping after -n Solicits or -p seconds; -W waits 2 s (in µs) for
        // the last replies so they are not counted as drops.
        var report = Perfdhcp.Run(_lab, 90, "-r", "500", "-R", Exchanges.ToString(CultureInfo.InvariantCulture), "-n", Exchanges.ToString(CultureInfo.InvariantCulture), "-p", "30", "-t", "1", "-W", "2000000");

        var context = report.Output + "\n--- server (last lines) ---\n" + string.Join('\n', server.Output.Split('\n').TakeLast(20));
        // perfdhcp exits 3 when anything was dropped; other codes are errors.
        Assert.True(report.ExitCode is 0 or 3, context);
        // perfdhcp checks -n between send bursts, so a late burst on a loaded machine can send a few more.
        Assert.InRange(report.SolicitAdvertise.Sent, Exchanges, Exchanges + 16);
        Assert.Equal(report.SolicitAdvertise.Received, report.RequestReply.Sent);
        Assert.True(report.SolicitAdvertise.DropRatio <= MaxDropRatio, $"Solicit drops {report.SolicitAdvertise.Drops}\n{context}");
        Assert.True(report.RequestReply.DropRatio <= MaxDropRatio, $"Request drops {report.RequestReply.Drops}\n{context}");
        Assert.True(report.RequestReply.Received >= Exchanges * (1 - (2 * MaxDropRatio)), context);

        // The server stored what it granted: one live row per client, every address once, and
        // every completed exchange has its row (a Request whose Reply perfdhcp counted as lost
        // may still have committed, hence the upper bound of Requests sent).
        var live = new LeaseFileSet(server.LeaseFile).LiveLeases().Values.ToList();
        Assert.InRange(live.Count, warmUp.RequestReply.Received + report.RequestReply.Received, warmUp.RequestReply.Sent + report.RequestReply.Sent);
        Assert.Equal(live.Count, live.Select(r => r["duid"]).Distinct().Count());
        Assert.All(live, r => Assert.Equal(("4000", "0", "0"), (r["valid_lifetime"], r["lease_type"], r["state"])));
        Assert.All(live, r => Assert.StartsWith("2001:db8:1::1:", r["address"], StringComparison.Ordinal));
        Assert.False(server.HasExited, context);
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_serverDir, recursive: true);
    }
}
