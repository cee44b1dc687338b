using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Pukeko paired with ISC's Kea 2.2 (Debian's <c>kea-dhcp6</c> with <c>libdhcp_ha.so</c> and
/// <c>libdhcp_lease_cmds.so</c>) in hot-standby, both with Kea's dedicated HA listener (multi-threading on), so
/// neither needs Kea's control agent: heartbeats, the start-up synchronisation and the lease updates go listener to
/// listener, with basic authentication and <c>restrict-commands</c>. A real <c>dhclient -6</c> gets its lease from
/// the primary, the standby holds it; the primary is killed with SIGKILL; the standby declares it down and answers
/// the client's Rebind with the same address; the primary restarts, synchronises from the standby and the pair is
/// back in hot-standby with the standby's copy of the lease. Run both ways round.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaKeaInteropTests(ITestOutputHelper output) : IDisposable
{
    private const string KeaSocket = "kea6.sock";

    /// <summary>
    /// One config for both servers (Kea 2.2's spellings); <c>{this}</c> is the server's name, <c>{control}</c> its
    /// control socket: Kea 2.2 has only UNIX sockets, Pukeko gets an HTTP one on port 8000 beside its listener on 8001.
    /// </summary>
    internal const string PairConfig = """
        {
          "Dhcp6": {
            "data-directory": "{dir}",
            "server-id": { "type": "LLT", "persist": false },
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv", "persist": true, "lfc-interval": 0 },
            "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 16 },
            {control}
            "renew-timer": 3, "rebind-timer": 6, "preferred-lifetime": 60, "valid-lifetime": 90,
            "hooks-libraries": [
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so",
                "parameters": { "high-availability": [ {
                  "this-server-name": "{this}", "mode": "hot-standby",
                  "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000, "max-unacked-clients": 0,
                  "sync-timeout": 10000, "restrict-commands": true,
                  "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 1, "http-client-threads": 1 },
                  "peers": [
                    { "name": "server1", "url": "http://[2001:db8:1::1]:8001/", "role": "primary", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret" },
                    { "name": "server2", "url": "http://[2001:db8:1::2]:8001/", "role": "standby", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret" } ] } ] } } ],
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output_options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "INFO"
            } ]
          }
        }
        """;

    private readonly HaLab _lab = new();
    private readonly string _keaDir = Directory.CreateTempSubdirectory("pukeko-hakea-").FullName;
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-hakea-client-").FullName;

    /// <summary>The side of the pair a check talks to: Kea over its UNIX socket, Pukeko over its HTTP control socket.</summary>
    private sealed record Side(string Name, string Namespace, string Address, Func<string, JsonObject?> Command)
    {
        public string? State() => HaControl.StateIn(Command(HaControl.StatusGet));

        public JsonObject? Lease(string ip) => HaControl.LeaseIn(Command(HaControl.LeaseGet(ip)));
    }

    private KeaProcess StartKea(string name, string ns) =>
        KeaProcess.Start(ns, _lab.ServerInterface, Template(name, $$""" "control-socket": { "socket-type": "unix", "socket-name": "{{Path.Combine(_keaDir, KeaSocket)}}" }, """), _keaDir);

    private ServerProcess StartPukeko(string name, string ns, string address) =>
        ServerProcess.Start(ns, _lab.ServerInterface, Template(name, PukekoControl(address)));

    private static string PukekoControl(string address) =>
        $$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{address}}", "socket-port": 8000, "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "admin-secret" } ] } } ], """;

    private static string Template(string name, string control) =>
        PairConfig.Replace("{this}", name, StringComparison.Ordinal).Replace("{control}", control, StringComparison.Ordinal);

    private Side KeaSide(string ns, string address) => new("Kea 2.2", ns, address, command =>
    {
        try
        {
            return LoopbackServer.CommandAsync(Path.Combine(_keaDir, KeaSocket), command).GetAwaiter().GetResult() as JsonObject;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    });

    private static Side PukekoSide(string ns, string address) =>
        new("Pukeko", ns, address, command => HaControl.Command(ns, address, command, port: 8000, credentials: "admin:admin-secret"));

    [Fact]
    public void Kea_primary_and_Pukeko_standby_share_the_lease_and_Pukeko_takes_over_when_Kea_is_killed()
    {
        using var kea = StartKea("server1", _lab.Server1Namespace);
        using var pukeko = StartPukeko("server2", _lab.Server2Namespace, HaLab.Server2Address);
        var failover = Exercise(KeaSide(_lab.Server1Namespace, HaLab.Server1Address), kea.Pid, () => kea.Output, PukekoSide(_lab.Server2Namespace, HaLab.Server2Address), () => pukeko.Output);

        // Kea reached Pukeko at its dedicated listener (port 8001), not at its control socket (8000).
        Assert.Contains("COMMAND_HTTP_LISTENER_STARTED", pukeko.Output, StringComparison.Ordinal);
        Assert.Contains("port: 8001", pukeko.Output, StringComparison.Ordinal);
        output.WriteLine($"Pukeko (standby) partner-down {failover.TotalSeconds:F1} s after kill -9 of Kea (heartbeat-delay 1 s, max-response-delay 3 s)");

        // Kea comes back with its lease file: it syncs from Pukeko (lease6-get-page on Pukeko's listener) and takes
        // the lease as Pukeko extended it, then the pair is back in hot-standby.
        var keaSide = KeaSide(_lab.Server1Namespace, HaLab.Server1Address);
        var pukekoSide = PukekoSide(_lab.Server2Namespace, HaLab.Server2Address);
        var address = Assert.Single(pukekoSide.Command("""{"command": "lease6-get-all"}""")!["arguments"]!["leases"]!.AsArray())!["ip-address"]!.GetValue<string>();
        using var returned = StartKea("server1", _lab.Server1Namespace);
        var watch = Stopwatch.StartNew();
        Assert.True(
            Run.WaitFor(() => keaSide.State() == "hot-standby" && pukekoSide.State() == "hot-standby", TimeSpan.FromSeconds(60)),
            $"pair did not return to hot-standby: {keaSide.State()}/{pukekoSide.State()}\n{returned.Output}\n{pukeko.Output}");
        output.WriteLine($"back in hot-standby {watch.Elapsed.TotalSeconds:F1} s after Kea restarted");
        Assert.True(
            Run.WaitFor(() => keaSide.Lease(address)?["cltt"]?.GetValue<long>() >= pukekoSide.Lease(address)?["cltt"]?.GetValue<long>(), TimeSpan.FromSeconds(20)),
            $"Kea does not have Pukeko's lease: {keaSide.Lease(address)} / {pukekoSide.Lease(address)}");
    }

    [Fact]
    public void Pukeko_primary_and_Kea_standby_share_the_lease_and_Kea_takes_over_when_Pukeko_is_killed()
    {
        using var pukeko = StartPukeko("server1", _lab.Server1Namespace, HaLab.Server1Address);
        using var kea = StartKea("server2", _lab.Server2Namespace);
        var failover = Exercise(PukekoSide(_lab.Server1Namespace, HaLab.Server1Address), pukeko.Pid, () => pukeko.Output, KeaSide(_lab.Server2Namespace, HaLab.Server2Address), () => kea.Output);
        output.WriteLine($"Kea 2.2 (standby) partner-down {failover.TotalSeconds:F1} s after kill -9 of Pukeko (heartbeat-delay 1 s, max-response-delay 3 s)");

        // Pukeko comes back with its lease file: it syncs from Kea (lease6-get-page on Kea's listener) and takes the
        // lease as Kea extended it, then the pair is back in hot-standby.
        var keaSide = KeaSide(_lab.Server2Namespace, HaLab.Server2Address);
        var pukekoSide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        var address = Assert.Single(keaSide.Command("""{"command": "lease6-get-all"}""")!["arguments"]!["leases"]!.AsArray())!["ip-address"]!.GetValue<string>();
        using var returned = ServerProcess.Start(_lab.Server1Namespace, _lab.ServerInterface, Template("server1", PukekoControl(HaLab.Server1Address)), pukeko.Directory);
        var watch = Stopwatch.StartNew();
        Assert.True(
            Run.WaitFor(() => pukekoSide.State() == "hot-standby" && keaSide.State() == "hot-standby", TimeSpan.FromSeconds(60)),
            $"pair did not return to hot-standby: {pukekoSide.State()}/{keaSide.State()}\n{returned.Output}\n{kea.Output}");
        output.WriteLine($"back in hot-standby {watch.Elapsed.TotalSeconds:F1} s after Pukeko restarted");
        Assert.Contains("HA_SYNC_SUCCESSFUL", returned.Output, StringComparison.Ordinal);
        Assert.True(
            Run.WaitFor(() => pukekoSide.Lease(address)?["cltt"]?.GetValue<long>() >= keaSide.Lease(address)?["cltt"]?.GetValue<long>(), TimeSpan.FromSeconds(20)),
            $"Pukeko does not have Kea's lease: {pukekoSide.Lease(address)} / {keaSide.Lease(address)}");
    }

    [Fact]
    public void Maintenance_goes_both_ways_between_Pukeko_and_Kea()
    {
        // Pukeko sends Kea 3.x's ha-maintenance-notify (with state and server-name); Kea 2.2 reads only cancel.
        using var pukeko = StartPukeko("server1", _lab.Server1Namespace, HaLab.Server1Address);
        using var kea = StartKea("server2", _lab.Server2Namespace);
        var pukekoSide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        var keaSide = KeaSide(_lab.Server2Namespace, HaLab.Server2Address);
        string Logs() => $"\n--- Pukeko\n{pukeko.Output}\n--- Kea 2.2\n{kea.Output}";
        void WaitForStates(string onPukeko, string onKea, string what) => Assert.True(
            Run.WaitFor(() => pukekoSide.State() == onPukeko && keaSide.State() == onKea, TimeSpan.FromSeconds(60)),
            $"{what}: {pukekoSide.State()}/{keaSide.State()}{Logs()}");

        WaitForStates("hot-standby", "hot-standby", "pair did not reach hot-standby");
        var started = pukekoSide.Command("""{"command": "ha-maintenance-start"}""");
        Assert.Equal(0, started?["result"]?.GetValue<int>());
        WaitForStates("partner-in-maintenance", "in-maintenance", "Pukeko's maintenance start");
        Assert.Equal(0, pukekoSide.Command("""{"command": "ha-maintenance-cancel"}""")?["result"]?.GetValue<int>());
        WaitForStates("hot-standby", "hot-standby", "after Pukeko's maintenance cancel");

        // Kea 2.2 sends {"cancel": ...} alone: Pukeko goes to in-maintenance and back.
        Assert.Equal(0, keaSide.Command("""{"command": "ha-maintenance-start"}""")?["result"]?.GetValue<int>());
        WaitForStates("in-maintenance", "partner-in-maintenance", "Kea's maintenance start");
        Assert.Equal(0, keaSide.Command("""{"command": "ha-maintenance-cancel"}""")?["result"]?.GetValue<int>());
        WaitForStates("hot-standby", "hot-standby", "after Kea's maintenance cancel");
    }

    [Fact]
    public void Without_the_dedicated_listener_Kea_is_reached_through_its_control_agent_and_Pukeko_through_its_control_socket()
    {
        // Dhcp6 multi-threading off: neither server opens the HA listener (Kea 2.2's rule), so each peer URL (port 8000)
        // is Kea's kea-ctrl-agent, forwarding to kea-dhcp6's UNIX socket, or Pukeko's HTTP control socket.
        static string WithoutListener(string config)
        {
            foreach (var (from, to) in new[]
            {
                ("\"multi-threading\": { \"enable-multi-threading\": true, \"thread-pool-size\": 2, \"packet-queue-size\": 16 },", "\"multi-threading\": { \"enable-multi-threading\": false },"),
                ("]:8001/\", \"role\": \"primary\"", "]:8000/\", \"role\": \"primary\""),
                ("]:8001/\", \"role\": \"standby\"", "]:8000/\", \"role\": \"standby\""),
            })
            {
                Assert.Contains(from, config, StringComparison.Ordinal);
                config = config.Replace(from, to, StringComparison.Ordinal);
            }

            return config;
        }

        var socket = Path.Combine(_keaDir, KeaSocket);
        using var kea = KeaProcess.Start(_lab.Server1Namespace, _lab.ServerInterface, WithoutListener(Template("server1", $$""" "control-socket": { "socket-type": "unix", "socket-name": "{{socket}}" }, """)), _keaDir);
        using var agent = KeaProcess.StartControlAgent(_lab.Server1Namespace, $$"""
            { "Control-agent": {
                "http-host": "{{HaLab.Server1Address}}", "http-port": 8000,
                "authentication": { "type": "basic", "realm": "kea", "clients": [ { "user": "ha", "password": "ha-pair-secret" } ] },
                "control-sockets": { "dhcp6": { "socket-type": "unix", "socket-name": "{{socket}}" } },
                "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ] } }
            """, _keaDir);
        var control = $$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{HaLab.Server2Address}}", "socket-port": 8000, "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "admin-secret" }, { "user": "ha", "password": "ha-pair-secret" } ] } } ], """;
        using var pukeko = ServerProcess.Start(_lab.Server2Namespace, _lab.ServerInterface, WithoutListener(Template("server2", control)));
        var failover = Exercise(KeaSide(_lab.Server1Namespace, HaLab.Server1Address), kea.Pid, () => kea.Output + "\n--- kea-ctrl-agent\n" + agent.Output, PukekoSide(_lab.Server2Namespace, HaLab.Server2Address), () => pukeko.Output);

        Assert.Contains("HA_CONFIG_DHCP_MT_DISABLED", pukeko.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("port: 8001", pukeko.Output, StringComparison.Ordinal);
        Assert.Contains("ha-heartbeat", agent.Output, StringComparison.Ordinal);
        output.WriteLine($"without the listener: Pukeko (standby) partner-down {failover.TotalSeconds:F1} s after kill -9 of Kea");
    }

    [Fact]
    public void A_Kea_standby_without_lease_cmds_fails_every_update_so_Pukeko_drops_those_replies_until_Kea_is_fixed()
    {
        // A real misconfiguration: Kea's HA loaded without libdhcp_lease_cmds.so answers lease6-bulk-apply with result
        // 2 (command not supported) while its heartbeats are fine. As Kea 2.2 does, the primary drops the Reply of
        // every update that failed (the lease stays committed here) and marks the partner unavailable until the next
        // heartbeat, which answers: communication is never interrupted, so no partner-down. No synchronisation
        // either (sync-leases false: lease6-get-page is lease_cmds' too).
        const string LeaseCmds = """{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },""";
        static string NoSync(string config)
        {
            Assert.Contains("\"sync-timeout\": 10000,", config, StringComparison.Ordinal);
            return config.Replace("\"sync-timeout\": 10000,", "\"sync-timeout\": 10000, \"sync-leases\": false,", StringComparison.Ordinal);
        }

        var keaControl = $$""" "control-socket": { "socket-type": "unix", "socket-name": "{{Path.Combine(_keaDir, KeaSocket)}}" }, """;
        var broken = NoSync(Template("server2", keaControl));
        Assert.Contains(LeaseCmds, broken, StringComparison.Ordinal);
        broken = broken.Replace(LeaseCmds, "", StringComparison.Ordinal);
        using var pukeko = ServerProcess.Start(_lab.Server1Namespace, _lab.ServerInterface, NoSync(Template("server1", PukekoControl(HaLab.Server1Address))));
        var kea = KeaProcess.Start(_lab.Server2Namespace, _lab.ServerInterface, broken, _keaDir);
        var pukekoSide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        var keaSide = KeaSide(_lab.Server2Namespace, HaLab.Server2Address);
        try
        {
            string Logs() => $"\n--- Pukeko\n{pukeko.Output}\n--- Kea 2.2\n{kea.Output}";
            long Replies() => pukekoSide.Command("""{"command": "statistic-get", "arguments": {"name": "pkt6-reply-sent"}}""")?["arguments"]?["pkt6-reply-sent"]?[0]?[0]?.GetValue<long>() ?? -1;
            if (!Run.WaitFor(() => pukekoSide.State() == "hot-standby" && keaSide.State() == "hot-standby", TimeSpan.FromSeconds(60)))
            {
                Assert.Fail($"pair did not reach hot-standby: {pukekoSide.State()}/{keaSide.State()}{Logs()}");
            }

            var failing = Support.Perfdhcp.FreshClients(_lab.ClientNamespace, _lab.ClientInterface, 5, "00:0c:31:00:00:00", output);
            Assert.True(failing.RequestReply.Sent >= 3, failing.Output + Logs());
            Assert.Equal(0, failing.RequestReply.Received);
            Assert.Equal(0, Replies());
            var failures = pukeko.Output.Split('\n').Where(l => l.Contains("HA_LEASE_UPDATE_FAILED", StringComparison.Ordinal)).ToList();
            Assert.Equal(failing.RequestReply.Sent, failures.Count);
            Assert.All(failures, l => Assert.Contains("command not supported", l, StringComparison.Ordinal));
            Assert.Equal(failing.RequestReply.Sent, pukekoSide.Command("""{"command": "lease6-get-all"}""")?["arguments"]?["leases"]?.AsArray().Count ?? 0);
            Assert.Equal("hot-standby", pukekoSide.State());
            Assert.DoesNotContain("partner-down", pukeko.Output, StringComparison.Ordinal);

            // The operator fixes Kea (lease_cmds loaded) and restarts it: updates are acknowledged, Replies go out.
            kea.Dispose();
            kea = KeaProcess.Start(_lab.Server2Namespace, _lab.ServerInterface, NoSync(Template("server2", keaControl)), _keaDir);
            if (!Run.WaitFor(() => pukekoSide.State() == "hot-standby" && keaSide.State() == "hot-standby", TimeSpan.FromSeconds(60)))
            {
                Assert.Fail($"pair did not return to hot-standby: {pukekoSide.State()}/{keaSide.State()}{Logs()}");
            }

            var served = Support.Perfdhcp.FreshClients(_lab.ClientNamespace, _lab.ClientInterface, 10, "00:0c:32:00:00:00", output);
            Assert.True(served.RequestReply.Received >= served.RequestReply.Sent - 1 && served.RequestReply.Received >= 8, served.Output + Logs());
            Assert.Equal(served.RequestReply.Received, Replies());

            // Kea holds exactly the acknowledged leases; those whose updates failed are only on Pukeko.
            var onKea = keaSide.Command("""{"command": "lease6-get-all"}""")?["arguments"]?["leases"]?.AsArray().Count ?? 0;
            Assert.Equal(served.RequestReply.Received, onKea);
        }
        finally
        {
            kea.Dispose();
        }
    }

    /// <summary>The scenario, whichever server is which; returns the time from the kill to the standby's partner-down.</summary>
    private TimeSpan Exercise(Side primary, int primaryPid, Func<string> primaryOutput, Side standby, Func<string> standbyOutput)
    {
        string Logs() => $"\n--- {primary.Name} (primary)\n{primaryOutput()}\n--- {standby.Name} (standby)\n{standbyOutput()}";

        // Both reach hot-standby: waiting, the primary syncs first (dhcp-disable, lease6-get-page, ha-sync-complete-notify), then the standby.
        var watch = Stopwatch.StartNew();
        Assert.True(
            Run.WaitFor(() => primary.State() == "hot-standby" && standby.State() == "hot-standby", TimeSpan.FromSeconds(60)),
            $"pair did not reach hot-standby: {primary.State()}/{standby.State()}{Logs()}");
        output.WriteLine($"both in hot-standby {watch.Elapsed.TotalSeconds:F1} s after the second server started");
        var remote = standby.Command("""{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!["ha-servers"]!["remote"]!;
        Assert.Equal("primary", remote["role"]!.GetValue<string>());
        Assert.Equal("hot-standby", remote["last-state"]!.GetValue<string>());

        // The primary answers the client, and the reply went out only after the standby acknowledged the lease update.
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var (code, clientOutput) = client.Obtain();
        Assert.True(code == 0, clientOutput + Logs());
        var address = client.Addresses().Last();
        var original = primary.Lease(address);
        Assert.True(original is not null, $"the primary has no lease for {address}{Logs()}");
        // Asked at once, not waited for: the Reply left only after the standby had acknowledged the update.
        var copy = standby.Lease(address);
        Assert.True(copy is not null, "the standby did not have the lease when the client got its Reply" + Logs());
        Assert.Equal(original["duid"]!.GetValue<string>(), copy["duid"]!.GetValue<string>());
        Assert.Equal(original["iaid"]!.GetValue<long>(), copy["iaid"]!.GetValue<long>());
        Assert.Equal(original["valid-lft"]!.GetValue<long>(), copy["valid-lft"]!.GetValue<long>());

        // SIGKILL: no goodbye. With max-unacked-clients 0 the standby declares partner-down once heartbeats have failed for max-response-delay.
        Run.Checked("kill", "-9", primaryPid.ToString(CultureInfo.InvariantCulture));
        var killedAt = DateTimeOffset.UtcNow;
        watch.Restart();
        Assert.True(Run.WaitFor(() => standby.State() == "partner-down", TimeSpan.FromSeconds(30)), $"the standby did not go partner-down: {standby.State()}{Logs()}");
        var failover = watch.Elapsed;
        // Not before max-response-delay from the last answered heartbeat (at most a heartbeat-delay, stretched on a busy machine, before the kill).
        Assert.True(failover >= TimeSpan.FromSeconds(1), $"partner-down too early: {failover}");

        // The client's Renews name the dead primary; its Rebind (T2 = 6 s) is answered by the standby with the same address.
        Assert.True(
            Run.WaitFor(() => standby.Lease(address)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), TimeSpan.FromSeconds(40)),
            "the standby never extended the client's lease" + Logs() + File.ReadAllText(client.LeaseFile));
        Assert.Equal(address, client.Addresses().Last());
        Assert.Contains("partner-down", standbyOutput(), StringComparison.OrdinalIgnoreCase);
        return failover;
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_keaDir, recursive: true);
        Directory.Delete(_clientDir, recursive: true);
    }
}
