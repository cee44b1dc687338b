using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Kea's HA backup servers on real processes: a passive-backup primary with a Pukeko backup (with and without
/// <c>wait-backup-ack</c>, the backup then killed with SIGKILL), the same with Debian's Kea 2.2 as the backup, and a
/// hot-standby pair with a third server as backup that keeps getting lease updates from the standby after the
/// primary is killed. Every server has Kea's dedicated HA listener on port 8001 (Dhcp6 multi-threading on); Pukeko's
/// control socket is HTTP on port 8000, Kea 2.2's a UNIX socket. A real <c>dhclient -6</c> is the client.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaBackupTests(ITestOutputHelper output) : IDisposable
{
    private const string KeaSocket = "kea6.sock";

    /// <summary>
    /// One config for every server (Kea 2.2's spellings, so kea-dhcp6 runs it too): <c>{this}</c> is the server's
    /// name, <c>{mode}</c> the HA mode, <c>{wait}</c> wait-backup-ack, <c>{peers}</c> the peer list, <c>{control}</c>
    /// the control socket. <c>cache-threshold</c> is 0.01 (0.9 s of the 90 s lifetime): with Kea's default 0.25 the
    /// renewals every 3 s reuse the cached lease, which commits nothing, so they send no lease update at all (as in Kea).
    /// </summary>
    private const string Config = """
        {
          "Dhcp6": {
            "data-directory": "{dir}",
            "server-id": { "type": "LLT", "persist": false },
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv", "persist": true, "lfc-interval": 0 },
            "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 16 },
            {control}
            "renew-timer": 3, "rebind-timer": 6, "preferred-lifetime": 60, "valid-lifetime": 90, "cache-threshold": 0.01,
            "hooks-libraries": [
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so",
                "parameters": { "high-availability": [ {
                  "this-server-name": "{this}", "mode": "{mode}",
                  "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000, "max-unacked-clients": 0,
                  "wait-backup-ack": {wait}, "restrict-commands": true,
                  "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 1, "http-client-threads": 1 },
                  "peers": [ {peers} ] } ] } } ],
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

    private const string Server1 = "server1";
    private const string Server2 = "server2";
    private const string Server3 = "server3";

    /// <summary>
    /// The status-get section of a server with no partner (a backup, or a passive-backup primary): no <c>remote</c>.
    /// Kea 2.2 shows role, scopes and state; Pukeko adds Kea 3.x's <c>server-name</c> and <c>system-time</c>, null
    /// since such a server sends no heartbeats.
    /// </summary>
    private static string LocalOnlyStatus(Side side, string mode, string role, string scopes, string name, string state) => side.Name == "Pukeko"
        ? $$$$"""{"ha-mode":"{{{{mode}}}}","ha-servers":{"local":{"role":"{{{{role}}}}","scopes":{{{{scopes}}}},"server-name":"{{{{name}}}}","state":"{{{{state}}}}","system-time":null}}}"""
        : $$$$"""{"ha-mode":"{{{{mode}}}}","ha-servers":{"local":{"role":"{{{{role}}}}","scopes":{{{{scopes}}}},"state":"{{{{state}}}}"}}}""";

    // Every test gets the third server's namespace; the passive-backup tests leave it empty.
    private readonly HaLab _lab = new(withThirdServer: true);
    private readonly string _keaDir = Directory.CreateTempSubdirectory("pukeko-habackup-kea-").FullName;
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-habackup-client-").FullName;

    /// <summary>A server as a check talks to it: Kea over its UNIX socket, Pukeko over its HTTP control socket.</summary>
    private sealed record Side(string Name, Func<string, JsonObject?> Command)
    {
        public string? State() => HaControl.StateIn(Command(HaControl.StatusGet));

        public JsonObject? Status() => Command(HaControl.StatusGet)?["arguments"]?["high-availability"]?[0] as JsonObject;

        public JsonObject? Lease(string ip) => HaControl.LeaseIn(Command(HaControl.LeaseGet(ip)));

        public long Statistic(string name) =>
            Command($$$"""{"command": "statistic-get", "arguments": {"name": "{{{name}}}"}}""")?["arguments"]?[name]?[0]?[0]?.GetValue<long>() ?? 0;
    }

    private static string Peer(string name, string address, string role) =>
        $$"""{ "name": "{{name}}", "url": "http://[{{address}}]:8001/", "role": "{{role}}", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret" }""";

    private static string Template(string self, string mode, bool waitBackupAck, string control, params string[] peers) => Config
        .Replace("{this}", self, StringComparison.Ordinal)
        .Replace("{mode}", mode, StringComparison.Ordinal)
        .Replace("{wait}", waitBackupAck ? "true" : "false", StringComparison.Ordinal)
        .Replace("{peers}", string.Join(", ", peers), StringComparison.Ordinal)
        .Replace("{control}", control, StringComparison.Ordinal);

    private static string PukekoControl(string address) =>
        $$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{address}}", "socket-port": 8000, "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "admin-secret" } ] } } ], """;

    private string KeaControl => $$""" "control-socket": { "socket-type": "unix", "socket-name": "{{Path.Combine(_keaDir, KeaSocket)}}" }, """;

    private static Side PukekoSide(string ns, string address) =>
        new("Pukeko", command => HaControl.Command(ns, address, command, port: 8000, credentials: "admin:admin-secret"));

    private Side KeaSide() => new("Kea 2.2", command =>
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

    private static string[] PassivePeers => [Peer(Server1, HaLab.Server1Address, "primary"), Peer(Server2, HaLab.Server2Address, "backup")];

    private ServerProcess StartPukeko(string self, string ns, string address, string mode, bool waitBackupAck, string[] peers) =>
        ServerProcess.Start(ns, _lab.ServerInterface, Template(self, mode, waitBackupAck, PukekoControl(address), peers));

    [Fact]
    public void Passive_backup_with_wait_backup_ack_drops_the_primarys_replies_once_the_backup_is_killed()
    {
        using var primary = StartPukeko(Server1, _lab.Server1Namespace, HaLab.Server1Address, "passive-backup", waitBackupAck: true, PassivePeers);
        using var backup = StartPukeko(Server2, _lab.Server2Namespace, HaLab.Server2Address, "passive-backup", waitBackupAck: true, PassivePeers);
        var primarySide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var address = ServeThroughPassivePair(client, primarySide, () => primary.Output, PukekoSide(_lab.Server2Namespace, HaLab.Server2Address), () => backup.Output);

        AssertRepliesDroppedOnceTheBackupIsKilled(primarySide, () => primary.Output, backup.Pid, address);
    }

    [Fact]
    public void Kea_as_passive_backup_primary_with_wait_backup_ack_also_drops_its_replies_once_the_Pukeko_backup_is_killed()
    {
        // The reference for the Pukeko primary above: Kea 2.2 itself as the primary, Pukeko as its backup.
        using var kea = KeaProcess.Start(_lab.Server1Namespace, _lab.ServerInterface, Template(Server1, "passive-backup", waitBackupAck: true, KeaControl, PassivePeers), _keaDir);
        using var backup = StartPukeko(Server2, _lab.Server2Namespace, HaLab.Server2Address, "passive-backup", waitBackupAck: true, PassivePeers);
        var keaSide = KeaSide();
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var address = ServeThroughPassivePair(client, keaSide, () => kea.Output, PukekoSide(_lab.Server2Namespace, HaLab.Server2Address), () => backup.Output);
        AssertRepliesDroppedOnceTheBackupIsKilled(keaSide, () => kea.Output, backup.Pid, address);
    }

    /// <summary>
    /// Kea's rule: with wait-backup-ack the reply waits for the backup's acknowledgement and a failed update drops it
    /// (the lease stays committed on the primary); the backup's failure changes no state.
    /// </summary>
    private static void AssertRepliesDroppedOnceTheBackupIsKilled(Side primary, Func<string> primaryOutput, int backupPid, string address)
    {
        var (queries, replies, killedAt) = KillBackupAndCount(backupPid, primary);
        Assert.True(
            Run.WaitFor(() => Queries(primary) >= queries + 2, TimeSpan.FromSeconds(40)),
            $"the client sent the primary no more Renews or Rebinds\n{primaryOutput()}");
        Assert.True(replies == primary.Statistic("pkt6-reply-sent"), $"the primary answered without the backup's acknowledgement\n{primaryOutput()}");
        Assert.True(primary.Lease(address)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), $"the primary did not commit the renewals it did not answer: {primary.Lease(address)}");
        Assert.Contains("HA_LEASE_UPDATE_COMMUNICATIONS_FAILED", primaryOutput(), StringComparison.Ordinal);
        Assert.Equal("passive-backup", primary.State());
    }

    [Fact]
    public void Passive_backup_without_wait_backup_ack_keeps_serving_the_client_after_the_backup_is_killed()
    {
        using var primary = StartPukeko(Server1, _lab.Server1Namespace, HaLab.Server1Address, "passive-backup", waitBackupAck: false, PassivePeers);
        using var backup = StartPukeko(Server2, _lab.Server2Namespace, HaLab.Server2Address, "passive-backup", waitBackupAck: false, PassivePeers);
        var primarySide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var address = ServeThroughPassivePair(client, primarySide, () => primary.Output, PukekoSide(_lab.Server2Namespace, HaLab.Server2Address), () => backup.Output);

        // Updates to backups are best effort by default: the renewals are still answered.
        var (_, replies, _) = KillBackupAndCount(backup.Pid, primarySide);
        Assert.True(
            Run.WaitFor(() => primarySide.Statistic("pkt6-reply-sent") >= replies + 2, TimeSpan.FromSeconds(40)),
            $"the primary stopped answering the client\n{primary.Output}");
        Assert.Equal(address, client.Addresses().Last());
        Assert.True(Run.WaitFor(() => primary.Output.Contains("HA_LEASE_UPDATE_COMMUNICATIONS_FAILED", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), "no failed update to the backup was logged\n" + primary.Output);
        Assert.Equal("passive-backup", primarySide.State());
    }

    [Fact]
    public void Kea_as_passive_backup_acknowledges_Pukekos_lease_updates_and_drops_the_released_lease()
    {
        using var primary = StartPukeko(Server1, _lab.Server1Namespace, HaLab.Server1Address, "passive-backup", waitBackupAck: true, PassivePeers);
        using var kea = KeaProcess.Start(_lab.Server2Namespace, _lab.ServerInterface, Template(Server2, "passive-backup", waitBackupAck: true, KeaControl, PassivePeers), _keaDir);
        var primarySide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        var keaSide = KeaSide();

        // With wait-backup-ack the client only gets its reply once Kea acknowledged the update.
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var address = ServeThroughPassivePair(client, primarySide, () => primary.Output, keaSide, () => kea.Output);

        // Renewals reach Kea too: its copy follows the primary's cltt.
        var first = keaSide.Lease(address)!["cltt"]!.GetValue<long>();
        Assert.True(
            Run.WaitFor(() => keaSide.Lease(address)?["cltt"]?.GetValue<long>() > first, TimeSpan.FromSeconds(20)),
            $"Kea never got a renewal: {keaSide.Lease(address)} / {primarySide.Lease(address)}\n{kea.Output}");

        // A Release is sent as a deleted lease: Kea removes its copy.
        var (code, releaseOutput) = client.Release();
        Assert.True(code == 0, releaseOutput + primary.Output);
        Assert.True(Run.WaitFor(() => primarySide.Lease(address) is null || primarySide.Lease(address)?["state"]?.GetValue<long>() != 0, TimeSpan.FromSeconds(10)), "the primary kept the released lease\n" + primary.Output);
        Assert.True(
            Run.WaitFor(() => keaSide.Lease(address) is not { } lease || lease["state"]?.GetValue<long>() != 0, TimeSpan.FromSeconds(10)),
            $"Kea kept the released lease: {keaSide.Lease(address)}\n{kea.Output}");
    }

    [Fact]
    public void Hot_standby_backup_gets_updates_from_the_primary_and_from_the_standby_after_the_primary_is_killed()
    {
        string[] peers = [Peer(Server1, HaLab.Server1Address, "primary"), Peer(Server2, HaLab.Server2Address, "standby"), Peer(Server3, HaLab.Server3Address, "backup")];
        using var primary = StartPukeko(Server1, _lab.Server1Namespace, HaLab.Server1Address, "hot-standby", waitBackupAck: false, peers);
        using var standby = StartPukeko(Server2, _lab.Server2Namespace, HaLab.Server2Address, "hot-standby", waitBackupAck: false, peers);
        using var backup = StartPukeko(Server3, _lab.Server3Namespace!, HaLab.Server3Address, "hot-standby", waitBackupAck: false, peers);
        var primarySide = PukekoSide(_lab.Server1Namespace, HaLab.Server1Address);
        var standbySide = PukekoSide(_lab.Server2Namespace, HaLab.Server2Address);
        var backupSide = PukekoSide(_lab.Server3Namespace!, HaLab.Server3Address);
        string Logs() => $"\n--- primary\n{primary.Output}\n--- standby\n{standby.Output}\n--- backup\n{backup.Output}";

        Assert.True(
            Run.WaitFor(() => primarySide.State() == "hot-standby" && standbySide.State() == "hot-standby" && backupSide.State() == "backup", TimeSpan.FromSeconds(30)),
            $"servers did not reach hot-standby/hot-standby/backup: {primarySide.State()}/{standbySide.State()}/{backupSide.State()}{Logs()}");
        Assert.Equal(LocalOnlyStatus(backupSide, "hot-standby", "backup", "[]", Server3, "backup"), backupSide.Status()?.ToJsonString());

        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var (code, clientOutput) = client.Obtain();
        Assert.True(code == 0, clientOutput + Logs());
        var address = client.Addresses().Last();
        Assert.True(Run.WaitFor(() => backupSide.Lease(address) is not null && standbySide.Lease(address) is not null, TimeSpan.FromSeconds(10)), "the standby or the backup never got the lease" + Logs());
        Assert.Equal(primarySide.Lease(address)!["duid"]!.GetValue<string>(), backupSide.Lease(address)!["duid"]!.GetValue<string>());
        Assert.Equal(0, backupSide.Statistic("pkt6-reply-sent"));

        Run.Checked("kill", "-9", primary.Pid.ToString(CultureInfo.InvariantCulture));
        var killedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        Assert.True(Run.WaitFor(() => standbySide.State() == "partner-down", TimeSpan.FromSeconds(20)), $"the standby did not go partner-down: {standbySide.State()}{Logs()}");
        output.WriteLine($"standby partner-down {watch.Elapsed.TotalSeconds:F1} s after kill -9 of the primary");

        // The standby answers the client's Rebind and sends the extended lease to the backup (backups always get updates).
        Assert.True(
            Run.WaitFor(() => standbySide.Lease(address)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), TimeSpan.FromSeconds(40)),
            "the standby never extended the client's lease" + Logs());
        Assert.True(
            Run.WaitFor(() => backupSide.Lease(address)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), TimeSpan.FromSeconds(10)),
            $"the backup never got the standby's update: {backupSide.Lease(address)}{Logs()}");
        output.WriteLine($"backup had the standby's renewal {watch.Elapsed.TotalSeconds:F1} s after the kill");
        Assert.Equal("backup", backupSide.State());
        Assert.Equal(0, backupSide.Statistic("pkt6-reply-sent"));
    }

    /// <summary>
    /// Waits for the primary in passive-backup and the backup in backup (each showing Kea's status-get section),
    /// then a client gets a lease from the primary and the backup holds the same lease while answering nobody.
    /// </summary>
    private string ServeThroughPassivePair(Dhclient client, Side primary, Func<string> primaryOutput, Side backup, Func<string> backupOutput)
    {
        string Logs() => $"\n--- {primary.Name} (primary)\n{primaryOutput()}\n--- {backup.Name} (backup)\n{backupOutput()}";

        // No heartbeats in passive-backup: each goes straight from waiting to its state.
        Assert.True(
            Run.WaitFor(() => primary.State() == "passive-backup" && backup.State() == "backup", TimeSpan.FromSeconds(30)),
            $"servers did not reach passive-backup/backup: {primary.State()}/{backup.State()}{Logs()}");
        Assert.Equal(LocalOnlyStatus(primary, "passive-backup", "primary", """["server1"]""", Server1, "passive-backup"), primary.Status()?.ToJsonString());
        Assert.Equal(LocalOnlyStatus(backup, "passive-backup", "backup", "[]", Server2, "backup"), backup.Status()?.ToJsonString());

        // Neither can be put into maintenance: a backup refuses (Kea 2.2's text); a passive-backup primary has no
        // partner to notify, which Kea 2.2 logs (HA_MAINTENANCE_START_HANDLER_FAILED) without answering the command
        // at all, and Pukeko logs the same and answers with the reason.
        var refused = backup.Command("""{"command": "ha-maintenance-start"}""");
        Assert.Equal(1, refused?["result"]?.GetValue<int>());
        Assert.Equal("Unable to transition the server from the backup to partner-in-maintenance state.", refused?["text"]?.GetValue<string>());
        var primaryRefused = primary.Command("""{"command": "ha-maintenance-start"}""");
        output.WriteLine($"{primary.Name} passive-backup primary, ha-maintenance-start: {primaryRefused?.ToJsonString() ?? "no answer"}");
        if (primary.Name == "Pukeko")
        {
            Assert.Equal(1, primaryRefused?["result"]?.GetValue<int>());
            Assert.Equal("no failover partner server found for this server server1", primaryRefused?["text"]?.GetValue<string>());
        }
        else
        {
            Assert.Null(primaryRefused);
        }

        Assert.True(Run.WaitFor(() => primaryOutput().Contains("HA_MAINTENANCE_START_HANDLER_FAILED", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), "ha-maintenance-start's failure was not logged" + Logs());
        Assert.Equal("passive-backup", primary.State());

        var (code, clientOutput) = client.Obtain();
        Assert.True(code == 0, clientOutput + Logs());
        var address = client.Addresses().Last();
        var original = primary.Lease(address);
        Assert.True(original is not null, $"the primary has no lease for {address}{Logs()}");
        Assert.True(Run.WaitFor(() => backup.Lease(address) is not null, TimeSpan.FromSeconds(10)), "the backup never got the lease" + Logs());
        var copy = backup.Lease(address)!;
        Assert.Equal(original["duid"]!.GetValue<string>(), copy["duid"]!.GetValue<string>());
        Assert.Equal(original["iaid"]!.GetValue<long>(), copy["iaid"]!.GetValue<long>());
        Assert.Equal(original["valid-lft"]!.GetValue<long>(), copy["valid-lft"]!.GetValue<long>());

        // The backup's DHCP service is off: the client's multicast reached it, and it answered nothing. (Kea 2.2 counts
        // such a drop in no drop statistic; Pukeko, as Kea 3.1.5+, in pkt6-service-disabled and pkt6-receive-drop.)
        Assert.True(backup.Statistic("pkt6-received") >= 1, $"the client's queries never reached the backup{Logs()}");
        Assert.Equal(0, backup.Statistic("pkt6-advertise-sent"));
        Assert.Equal(0, backup.Statistic("pkt6-reply-sent"));
        output.WriteLine($"{backup.Name} backup: pkt6-received {backup.Statistic("pkt6-received")}, pkt6-receive-drop {backup.Statistic("pkt6-receive-drop")}, pkt6-solicit-received {backup.Statistic("pkt6-solicit-received")}");
        return address;
    }

    /// <summary>SIGKILL to the backup; then the primary's Renew+Rebind and Reply counts, once nothing sent before the kill can still be acknowledged.</summary>
    private static (long Queries, long Replies, DateTimeOffset KilledAt) KillBackupAndCount(int backupPid, Side primary)
    {
        Run.Checked("kill", "-9", backupPid.ToString(CultureInfo.InvariantCulture));
        var killedAt = DateTimeOffset.UtcNow;
        Thread.Sleep(500);
        return (Queries(primary), primary.Statistic("pkt6-reply-sent"), killedAt);
    }

    private static long Queries(Side server) => server.Statistic("pkt6-renew-received") + server.Statistic("pkt6-rebind-received");

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_keaDir, recursive: true);
        Directory.Delete(_clientDir, recursive: true);
    }
}
