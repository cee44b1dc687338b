using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.LoadBalancingScopes;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Pukeko and ISC's Kea 2.2 as a load-balancing pair (the config of <see cref="HaKeaInteropTests"/> in
/// load-balancing, one pool per scope), with perfdhcp as a hundred new clients: both servers answer, every lease
/// is in the pool of the server Kea's hash gives its client to, so Kea and Pukeko agree on the split; both hold
/// every lease, each the other's through <c>lease6-bulk-apply</c>. Then server1 is killed and the survivor serves
/// both scopes. Run with Kea as server1 (Pukeko survives) and as server2 (Kea survives), the second time with TLS
/// between the peers (Kea's <c>trust-anchor</c>, <c>cert-file</c>, <c>key-file</c>, client certificates required).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaKeaLoadBalancingTests(ITestOutputHelper output) : IDisposable
{
    private const string KeaSocket = "kea6.sock";

    private readonly HaLab _lab = new();
    private readonly string _keaDir = Directory.CreateTempSubdirectory("pukeko-hakealb-").FullName;
    private readonly string _certificates = Directory.CreateTempSubdirectory("pukeko-hakealb-tls-").FullName;

    /// <summary>A server of the pair: how to reach its control channel and read its log, whichever kind it is.</summary>
    private sealed record Side(string Name, Func<string, JsonObject?> Command, Func<string> Output, int Pid)
    {
        public string? State() => HaControl.StateIn(Command(HaControl.StatusGet));

        public List<JsonObject> Leases() =>
            Command("""{"command": "lease6-get-all"}""")?["arguments"]?["leases"]?.AsArray().OfType<JsonObject>().ToList() ?? [];

        public long Replies() =>
            Command("""{"command": "statistic-get", "arguments": {"name": "pkt6-reply-sent"}}""")?["arguments"]?["pkt6-reply-sent"]?[0]?[0]?.GetValue<long>() ?? 0;
    }

    /// <summary>The hot-standby pair config turned into load-balancing with a pool per scope, as fast to fail over as the test allows.</summary>
    private string Template(string name, string control, bool tls, int delayedUpdatesLimit = 0, int maxUnackedClients = 0)
    {
        var config = HaKeaInteropTests.PairConfig;
        var tlsKeys = $$""" "trust-anchor": "{{_certificates}}/ca.pem", "cert-file": "{{_certificates}}/pair.pem", "key-file": "{{_certificates}}/pair.key", "require-client-certs": true, """;
        foreach (var (from, to) in new[]
        {
            ("\"this-server-name\": \"{this}\",", "\"this-server-name\": \"{this}\"," + (tls ? tlsKeys : "")),
            ("\"url\": \"http://[2001:db8:1::1]", tls ? "\"url\": \"https://[2001:db8:1::1]" : "\"url\": \"http://[2001:db8:1::1]"),
            ("\"url\": \"http://[2001:db8:1::2]", tls ? "\"url\": \"https://[2001:db8:1::2]" : "\"url\": \"http://[2001:db8:1::2]"),
            ("\"mode\": \"hot-standby\"", "\"mode\": \"load-balancing\", \"delayed-updates-limit\": " + delayedUpdatesLimit.ToString(CultureInfo.InvariantCulture)),
            ("\"max-unacked-clients\": 0,", "\"max-unacked-clients\": " + maxUnackedClients.ToString(CultureInfo.InvariantCulture) + ","),
            ("\"role\": \"standby\"", "\"role\": \"secondary\""),
            ("\"pools\": [ { \"pool\": \"2001:db8:1::100-2001:db8:1::1ff\" } ]", "\"pools\": " + Pools),
            ("\"renew-timer\": 3, \"rebind-timer\": 6, \"preferred-lifetime\": 60, \"valid-lifetime\": 90", "\"renew-timer\": 1000, \"rebind-timer\": 2000, \"preferred-lifetime\": 3000, \"valid-lifetime\": 4000"),
        })
        {
            Assert.Contains(from, config, StringComparison.Ordinal);
            config = config.Replace(from, to, StringComparison.Ordinal);
        }

        return config.Replace("{this}", name, StringComparison.Ordinal).Replace("{control}", control, StringComparison.Ordinal);
    }

    private string Namespace(int server) => server == 1 ? _lab.Server1Namespace : _lab.Server2Namespace;

    private static string Address(int server) => server == 1 ? HaLab.Server1Address : HaLab.Server2Address;

    private (IDisposable Process, Side Side) StartKea(int server, bool tls, int delayedUpdatesLimit = 0, int maxUnackedClients = 0)
    {
        var socket = Path.Combine(_keaDir, KeaSocket);
        var kea = KeaProcess.Start(Namespace(server), _lab.ServerInterface, Template("server" + server, $$""" "control-socket": { "socket-type": "unix", "socket-name": "{{socket}}" }, """, tls, delayedUpdatesLimit, maxUnackedClients), _keaDir);
        return (kea, new Side("Kea 2.2", command =>
        {
            try
            {
                return LoopbackServer.CommandAsync(socket, command).GetAwaiter().GetResult() as JsonObject;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or OperationCanceledException or System.Text.Json.JsonException)
            {
                return null;
            }
        }, () => kea.Output, kea.Pid));
    }

    private (IDisposable Process, Side Side) StartPukeko(int server, bool tls, int delayedUpdatesLimit = 0, int maxUnackedClients = 0)
    {
        var (ns, address) = (Namespace(server), Address(server));
        var control = $$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{address}}", "socket-port": 8000, "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "admin-secret" } ] } } ], """;
        var pukeko = ServerProcess.Start(ns, _lab.ServerInterface, Template("server" + server, control, tls, delayedUpdatesLimit, maxUnackedClients));
        return (pukeko, new Side("Pukeko", command => HaControl.Command(ns, address, command, port: 8000, credentials: "admin:admin-secret"), () => pukeko.Output, pukeko.Pid));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Kea_and_Pukeko_split_the_clients_by_the_same_hash_hold_every_lease_and_the_survivor_of_a_kill_serves_both_scopes(int keaServer, bool tls)
    {
        if (tls)
        {
            // One certificate for both peers, naming both addresses.
            var certificates = new Pukeko.Server.Tests.Support.OpenSslCertificates(_certificates);
            certificates.MakeCa("ca");
            certificates.MakeLeaf("pair", "ca", $"subjectAltName=IP:{HaLab.Server1Address},IP:{HaLab.Server2Address}\nextendedKeyUsage=serverAuth,clientAuth");
        }

        var (process1, server1) = keaServer == 1 ? StartKea(1, tls) : StartPukeko(1, tls);
        using var _ = process1;
        var (process2, server2) = keaServer == 2 ? StartKea(2, tls) : StartPukeko(2, tls);
        using var __ = process2;
        string Logs() => $"states {server1.State()}/{server2.State()}\n--- server1 ({server1.Name})\n{Tail(server1.Output())}\n--- server2 ({server2.Name})\n{Tail(server2.Output())}";

        var watch = Stopwatch.StartNew();
        Assert.True(Run.WaitFor(() => server1.State() == "load-balancing" && server2.State() == "load-balancing", TimeSpan.FromSeconds(60)), "pair did not reach load-balancing\n" + Logs());
        output.WriteLine($"server1 {server1.Name}, server2 {server2.Name}{(tls ? ", TLS" : "")}: both in load-balancing {watch.Elapsed.TotalSeconds:F1} s after the second started");
        if (tls)
        {
            AssertListenersSpeakOnlyTls();
        }

        // Each server answers the clients the hash gives it, from its own pool; none is left unanswered.
        var first = Perfdhcp(100, "00:0c:21:00:00:00");
        Assert.True(first.RequestReply.Received >= first.SolicitAdvertise.Sent * 0.85, first.Output + Logs());
        List<string> lines = [];
        Assert.True(
            Run.WaitFor(() => (lines = Lines(server1)).Count >= first.RequestReply.Received && lines.SequenceEqual(Lines(server2)), TimeSpan.FromSeconds(20)),
            $"the servers' leases differ: {Lines(server1).Count} on server1, {Lines(server2).Count} on server2\n" + Logs());
        var leases = server1.Leases();
        AssertOneAddressPerClient(leases);
        AssertPoolsFollowTheHash(leases);
        var (by1, by2) = (leases.Count(l => ServedBy(l) == 1), leases.Count(l => ServedBy(l) == 2));
        output.WriteLine($"{leases.Count} leases on both: {by1} from server1's pool, {by2} from server2's; Replies sent {server1.Replies()}/{server2.Replies()}");
        Assert.True(by1 >= leases.Count / 4 && by2 >= leases.Count / 4, $"unfair split {by1}/{by2}");

        // server1 is killed: the survivor declares it down (max-unacked-clients 0) and serves both scopes.
        Run.Checked("kill", "-9", server1.Pid.ToString(CultureInfo.InvariantCulture));
        watch.Restart();
        Assert.True(Run.WaitFor(() => server2.State() == "partner-down", TimeSpan.FromSeconds(30)), "server2 did not go partner-down\n" + Logs());
        output.WriteLine($"{server2.Name} partner-down {watch.Elapsed.TotalSeconds:F1} s after kill -9 of {server1.Name}");
        var second = Perfdhcp(60, "00:0c:22:00:00:00");
        Assert.True(second.RequestReply.Received >= second.SolicitAdvertise.Sent * 0.97, second.Output + Logs());
        var added = server2.Leases().Where(l => !lines.Contains(HaControl.LeaseLine(l))).ToList();
        Assert.InRange(added.Count, second.RequestReply.Received, second.RequestReply.Sent);
        Assert.True(added.Count(l => ServedBy(l) == 1) >= added.Count / 4 && added.Count(l => ServedBy(l) == 2) >= added.Count / 4, "the survivor did not serve both scopes\n" + Logs());
        AssertOneAddressPerClient(server2.Leases());
    }

    [Fact]
    public void A_split_between_Kea_and_Pukeko_passes_through_communication_recovery_and_each_delivers_its_backlog_to_the_other()
    {
        // Kea's communication-recovery (delayed-updates-limit 100), and so many unacked clients needed that neither
        // declares the other down: both keep serving their own scope through the split and queue the updates.
        var (process1, kea) = StartKea(1, tls: false, delayedUpdatesLimit: 100, maxUnackedClients: 1000);
        using var _ = process1;
        var (process2, pukeko) = StartPukeko(2, tls: false, delayedUpdatesLimit: 100, maxUnackedClients: 1000);
        using var __ = process2;
        string Logs() => $"states {kea.State()}/{pukeko.State()}\n--- server1 (Kea 2.2)\n{Tail(kea.Output())}\n--- server2 (Pukeko)\n{Tail(pukeko.Output())}";
        bool BothIn(string state) => kea.State() == state && pukeko.State() == state;
        List<string> SameLeases()
        {
            List<string> lines = [];
            Assert.True(Run.WaitFor(() => (lines = Lines(kea)).Count > 0 && lines.SequenceEqual(Lines(pukeko)), TimeSpan.FromSeconds(20)),
                $"the servers' leases differ: {Lines(kea).Count} on Kea, {Lines(pukeko).Count} on Pukeko\n" + Logs());
            return lines;
        }

        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(60)), "pair did not reach load-balancing\n" + Logs());
        var before = Perfdhcp(40, "00:0c:51:00:00:00");
        Assert.True(before.RequestReply.Received >= before.SolicitAdvertise.Sent * 0.85, before.Output + Logs());
        var beforeSplit = SameLeases();

        var watch = Stopwatch.StartNew();
        _lab.SplitServers(true);
        try
        {
            Assert.True(Run.WaitFor(() => BothIn("communication-recovery"), TimeSpan.FromSeconds(40)), "pair did not enter communication-recovery\n" + Logs());
            output.WriteLine($"both in communication-recovery {watch.Elapsed.TotalSeconds:F1} s after the split");
            var (replies1, replies2) = (kea.Replies(), pukeko.Replies());
            var during = Perfdhcp(60, "00:0c:52:00:00:00");
            var (served1, served2) = (kea.Replies() - replies1, pukeko.Replies() - replies2);
            output.WriteLine($"during the split: Kea {served1} Replies, Pukeko {served2} Replies");
            Assert.True(served1 >= during.SolicitAdvertise.Sent / 5 && served2 >= during.SolicitAdvertise.Sent / 5, during.Output + Logs());
            Assert.True(BothIn("communication-recovery"), Logs());
        }
        finally
        {
            _lab.SplitServers(false);
        }

        // Healed: each sends its backlog in one lease6-bulk-apply (Kea's to Pukeko's listener, Pukeko's to Kea's),
        // and both are back in load-balancing with the same leases, those of the split among them.
        watch.Restart();
        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(60)), "pair did not return to load-balancing\n" + Logs());
        output.WriteLine($"back in load-balancing {watch.Elapsed.TotalSeconds:F1} s after the heal");
        var healed = SameLeases();
        Assert.True(healed.Count > beforeSplit.Count, "no lease from the split\n" + Logs());
        Assert.Empty(beforeSplit.Except(healed));
        Assert.Contains("HA_LEASES_BACKLOG_SUCCESS", kea.Output(), StringComparison.Ordinal);
        Assert.Contains("HA_LEASES_BACKLOG_SUCCESS", pukeko.Output(), StringComparison.Ordinal);
        AssertOneAddressPerClient(pukeko.Leases());
        AssertPoolsFollowTheHash(pukeko.Leases());
    }

    /// <summary>Each peer listener refuses plain HTTP and answers HTTPS with a certificate from the pair's CA.</summary>
    private void AssertListenersSpeakOnlyTls()
    {
        foreach (var server in new[] { 1, 2 })
        {
            string[] curl = ["netns", "exec", Namespace(server), "curl", "-s", "-m", "5", "-u", "ha:ha-pair-secret", "-H", "Content-Type: application/json", "-d", HaControl.StatusGet];
            var (plainCode, plain) = Run.Command("ip", [.. curl, $"http://[{Address(server)}]:8001/"]);
            Assert.False(plainCode == 0 && plain.Contains("result", StringComparison.Ordinal), $"server{server} answered plain HTTP: {plain}");
            var (code, text) = Run.Command("ip", [.. curl, "--cacert", Path.Combine(_certificates, "ca.pem"), "--cert", Path.Combine(_certificates, "pair.pem"), "--key", Path.Combine(_certificates, "pair.key"), $"https://[{Address(server)}]:8001/"]);
            Assert.True(code == 0 && HaControl.StateIn(JsonNode.Parse(text) is JsonArray { Count: > 0 } list ? list[0] as JsonObject : null) == "load-balancing", $"server{server} over HTTPS: {code} {text}");
        }
    }

    private static List<string> Lines(Side side) => side.Leases().Select(HaControl.LeaseLine).Order(StringComparer.Ordinal).ToList();

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

    private PerfdhcpReport Perfdhcp(int clients, string baseMac) => Support.Perfdhcp.FreshClients(_lab.ClientNamespace, _lab.ClientInterface, clients, baseMac, output);

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_keaDir, recursive: true);
        Directory.Delete(_certificates, recursive: true);
    }
}
