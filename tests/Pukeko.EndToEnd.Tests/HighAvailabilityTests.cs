using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.HaControl;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Two real Pukeko servers on one link in Kea's hot-standby relationship (libdhcp_ha.so built in), each with an
/// HTTP control socket that its partner sends heartbeats and lease updates to. A real <c>dhclient -6</c> gets its
/// lease from the primary; the standby holds the same lease; the primary is killed with SIGKILL; the standby
/// declares it down after max-response-delay and answers the client's Rebind with the same address. The primary
/// restarts, synchronises from the standby (lease6-get-page under dhcp-disable) and both hold the same leases.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class HighAvailabilityTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The configuration docs/ha.md shows; <c>{this}</c> is the server's name, <c>{address}</c> its control address.</summary>
    internal const string PairConfig = """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            "control-sockets": [ { "socket-type": "http", "socket-address": "{address}", "socket-port": 8001, "authentication": { "type": "basic", "clients": [ { "user": "ha", "password": "ha-pair-secret" } ] } } ],
            "renew-timer": 3, "rebind-timer": 6, "preferred-lifetime": 60, "valid-lifetime": 90,
            "hooks-libraries": [
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so",
                "parameters": { "high-availability": [ {
                  "this-server-name": "{this}", "mode": "hot-standby",
                  "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000, "max-unacked-clients": 0,
                  "sync-leases": true, "sync-page-limit": 2,
                  "peers": [
                    { "name": "server1", "url": "http://[2001:db8:1::1]:8001/", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret", "role": "primary" },
                    { "name": "server2", "url": "http://[2001:db8:1::2]:8001/", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret", "role": "standby" } ] } ] } } ],
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "INFO"
            } ]
          }
        }
        """;

    private readonly HaLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-ha-").FullName;

    private ServerProcess StartServer(string name, string ns, string address, string? directory = null) =>
        ServerProcess.Start(ns, _lab.ServerInterface, PairConfig.Replace("{this}", name, StringComparison.Ordinal).Replace("{address}", address, StringComparison.Ordinal), directory);

    [Fact]
    public void The_standby_has_the_primarys_lease_and_after_the_primary_is_killed_serves_the_clients_rebind_with_it()
    {
        using var primary = StartServer("server1", _lab.Server1Namespace, HaLab.Server1Address);
        using var standby = StartServer("server2", _lab.Server2Namespace, HaLab.Server2Address);

        // Both reach hot-standby through waiting and ready, by heartbeats alone.
        Assert.True(
            Run.WaitFor(() => HaState(_lab.Server1Namespace, HaLab.Server1Address) == "hot-standby" && HaState(_lab.Server2Namespace, HaLab.Server2Address) == "hot-standby", TimeSpan.FromSeconds(30)),
            $"pair did not reach hot-standby: {HaState(_lab.Server1Namespace, HaLab.Server1Address)}/{HaState(_lab.Server2Namespace, HaLab.Server2Address)}\n{primary.Output}\n{standby.Output}");
        var status = Command(_lab.Server2Namespace, HaLab.Server2Address, """{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!;
        Assert.Equal("hot-standby", status["ha-mode"]!.GetValue<string>());
        Assert.Equal("primary", status["ha-servers"]!["remote"]!["role"]!.GetValue<string>());
        Assert.Equal("hot-standby", status["ha-servers"]!["remote"]!["last-state"]!.GetValue<string>());
        Assert.Equal("[]", status["ha-servers"]!["local"]!["scopes"]!.ToJsonString());

        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var (code, clientOutput) = client.Obtain();
        Assert.True(code == 0, clientOutput + primary.Output + standby.Output);
        var address = client.Addresses().Last();

        // The primary answered; the standby, which serves no scope, holds the same lease from the lease update.
        Assert.NotNull(Lease(_lab.Server1Namespace, HaLab.Server1Address, address));
        Assert.True(Run.WaitFor(() => Lease(_lab.Server2Namespace, HaLab.Server2Address, address) is not null, TimeSpan.FromSeconds(10)), "the standby never got the lease\n" + standby.Output);
        var copy = Lease(_lab.Server2Namespace, HaLab.Server2Address, address)!;
        var original = Lease(_lab.Server1Namespace, HaLab.Server1Address, address)!;
        Assert.Equal(original["duid"]!.GetValue<string>(), copy["duid"]!.GetValue<string>());
        Assert.Equal(original["iaid"]!.GetValue<long>(), copy["iaid"]!.GetValue<long>());
        Assert.True(Statistic(_lab.Server2Namespace, HaLab.Server2Address, "pkt6-receive-drop") >= 1, "the standby dropped none of the client's queries");
        Assert.Equal(0, Statistic(_lab.Server2Namespace, HaLab.Server2Address, "pkt6-reply-sent"));

        // SIGKILL: no goodbye. The standby must notice by itself.
        Run.Checked("kill", "-9", primary.Pid.ToString(CultureInfo.InvariantCulture));
        var killedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        Assert.True(Run.WaitFor(() => HaState(_lab.Server2Namespace, HaLab.Server2Address) == "partner-down", TimeSpan.FromSeconds(20)), "standby did not go partner-down\n" + standby.Output);
        var failover = watch.Elapsed;
        output.WriteLine($"partner-down {failover.TotalSeconds:F1} s after kill -9 (heartbeat-delay 1 s, max-response-delay 3 s)");
        Assert.True(failover >= TimeSpan.FromSeconds(2), $"partner-down too early: {failover}");
        Assert.Equal("""["server1"]""", Command(_lab.Server2Namespace, HaLab.Server2Address, """{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!["ha-servers"]!["local"]!["scopes"]!.ToJsonString());

        // The client's Renews name the dead primary; its Rebind (T2 = 6 s) is answered by the standby, same address.
        // (Strictly later than the kill's second: a Renew the primary answered just before the kill has that cltt.)
        Assert.True(
            Run.WaitFor(() => Lease(_lab.Server2Namespace, HaLab.Server2Address, address)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), TimeSpan.FromSeconds(40)),
            "the standby never extended the client's lease\n" + standby.Output + File.ReadAllText(client.LeaseFile));
        Assert.Equal(address, client.Addresses().Last());
        Assert.True(Statistic(_lab.Server2Namespace, HaLab.Server2Address, "pkt6-rebind-received") >= 1, "the standby saw no Rebind");
        Assert.True(Statistic(_lab.Server2Namespace, HaLab.Server2Address, "pkt6-reply-sent") >= 1, "the standby sent no Reply");
        Assert.Contains("HA_STATE_TRANSITION", standby.Output, StringComparison.Ordinal);

        // A lease the primary never saw: given while it was down (lease6-add is not replicated either way).
        Assert.Equal(0, Command(_lab.Server2Namespace, HaLab.Server2Address, """{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1f0", "duid": "00:03:00:01:aa:bb:cc:dd:ee:01", "iaid": 7}}""")?["result"]?.GetValue<int>());

        // The primary comes back with its old lease file: it syncs from the standby (pages of 2), then both agree on every lease.
        // (The killed process is already gone; its ServerProcess is disposed at the end.)
        using var returned = StartServer("server1", _lab.Server1Namespace, HaLab.Server1Address, primary.Directory);
        watch.Restart();
        Assert.True(
            Run.WaitFor(() => HaState(_lab.Server1Namespace, HaLab.Server1Address) == "hot-standby" && HaState(_lab.Server2Namespace, HaLab.Server2Address) == "hot-standby", TimeSpan.FromSeconds(30)),
            $"pair did not return to hot-standby: {HaState(_lab.Server1Namespace, HaLab.Server1Address)}/{HaState(_lab.Server2Namespace, HaLab.Server2Address)}\n{returned.Output}\n{standby.Output}");
        output.WriteLine($"back in hot-standby {watch.Elapsed.TotalSeconds:F1} s after the primary restarted");
        Assert.Contains("HA_SYNC_SUCCESSFUL", returned.Output, StringComparison.Ordinal);
        Assert.Contains(AllLeases(_lab.Server1Namespace, HaLab.Server1Address), l => l.StartsWith("2001:db8:1::1f0 ", StringComparison.Ordinal));

        // The client keeps renewing (now with the primary, which updates the standby): compare until a quiet moment.
        Assert.True(
            Run.WaitFor(() => AllLeases(_lab.Server2Namespace, HaLab.Server2Address) is { Count: > 0 } onStandby && onStandby.SequenceEqual(AllLeases(_lab.Server1Namespace, HaLab.Server1Address)), TimeSpan.FromSeconds(10)),
            "the servers disagree:\n" + string.Join("\n", AllLeases(_lab.Server1Namespace, HaLab.Server1Address)) + "\n--\n" + string.Join("\n", AllLeases(_lab.Server2Namespace, HaLab.Server2Address)));
    }

    [Fact]
    public void A_delegated_prefix_and_a_release_reach_the_standby_before_the_client_hears_back()
    {
        const string Pools = "\"pools\": [ { \"pool\": \"2001:db8:1::100-2001:db8:1::1ff\" } ]";
        const string WithPrefixes = Pools + """, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64 } ]""";
        Assert.Contains(Pools, PairConfig, StringComparison.Ordinal);
        ServerProcess Start(string name, string ns, string address) => ServerProcess.Start(ns, _lab.ServerInterface,
            PairConfig.Replace(Pools, WithPrefixes, StringComparison.Ordinal).Replace("{this}", name, StringComparison.Ordinal).Replace("{address}", address, StringComparison.Ordinal));
        using var primary = Start("server1", _lab.Server1Namespace, HaLab.Server1Address);
        using var standby = Start("server2", _lab.Server2Namespace, HaLab.Server2Address);
        Assert.True(
            Run.WaitFor(() => HaState(_lab.Server1Namespace, HaLab.Server1Address) == "hot-standby" && HaState(_lab.Server2Namespace, HaLab.Server2Address) == "hot-standby", TimeSpan.FromSeconds(30)),
            $"pair did not reach hot-standby\n{primary.Output}\n{standby.Output}");
        JsonObjectPair Leases(string ip, string type) => new(
            LeaseIn(Command(_lab.Server1Namespace, HaLab.Server1Address, PrefixOrAddressGet(ip, type))),
            LeaseIn(Command(_lab.Server2Namespace, HaLab.Server2Address, PrefixOrAddressGet(ip, type))));

        // One Request with an IA_NA and an IA_PD: both leases are in the one update the Reply waited for.
        using var client = new Dhclient(_lab.ClientNamespace, _lab.ClientInterface, _clientDir);
        var (code, clientOutput) = client.Obtain("-N", "-P");
        Assert.True(code == 0, clientOutput + primary.Output + standby.Output);
        var address = client.Addresses().Last();
        var prefix = IaPrefix().Match(File.ReadAllText(client.LeaseFile));
        Assert.True(prefix.Success, File.ReadAllText(client.LeaseFile));
        var prefixAddress = prefix.Groups[1].Value.Split('/')[0];
        foreach (var (ip, type) in new[] { (address, "IA_NA"), (prefixAddress, "IA_PD") })
        {
            var (onPrimary, onStandby) = Leases(ip, type);
            Assert.True(onPrimary is not null && onStandby is not null, $"{type} {ip}: primary {onPrimary}, standby {onStandby}\n{standby.Output}");
            foreach (var field in new[] { "duid", "iaid", "prefix-len", "type", "valid-lft", "cltt" })
            {
                Assert.Equal(onPrimary[field]?.ToJsonString(), onStandby[field]?.ToJsonString());
            }
        }

        Assert.Equal("64", Leases(prefixAddress, "IA_PD").OnStandby!["prefix-len"]!.ToJsonString());

        // The Release: the primary keeps both leases as released (lease affinity: state 3, valid lifetime 0) and
        // sends them as deleted leases (Kea 2.2's form), so its Reply waits until the standby has deleted them.
        var (released, releaseOutput) = client.Release("-N", "-P");
        Assert.True(released == 0, releaseOutput + primary.Output);
        Assert.True(Statistic(_lab.Server1Namespace, HaLab.Server1Address, "pkt6-release-received") >= 1, primary.Output);
        foreach (var (ip, type) in new[] { (address, "IA_NA"), (prefixAddress, "IA_PD") })
        {
            var (onPrimary, onStandby) = Leases(ip, type);
            var releasedHere = onPrimary is not null && onPrimary["state"]?.GetValue<int>() == 3 && onPrimary["valid-lft"]?.GetValue<long>() == 0;
            Assert.True(releasedHere && onStandby is null, $"{type} {ip} after the Release: primary {onPrimary}, standby {onStandby}\n{primary.Output}");
        }

        Assert.Empty(AllLeases(_lab.Server2Namespace, HaLab.Server2Address));
        Assert.DoesNotContain("HA_LEASE_UPDATE_FAILED", primary.Output, StringComparison.Ordinal);
    }

    private static string PrefixOrAddressGet(string ip, string type) =>
        $$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{ip}}}", "type": "{{{type}}}"}}""";

    private sealed record JsonObjectPair(System.Text.Json.Nodes.JsonObject? OnPrimary, System.Text.Json.Nodes.JsonObject? OnStandby);

    [GeneratedRegex(@"iaprefix\s+([0-9a-fA-F:]+/\d+)\s*\{")]
    private static partial Regex IaPrefix();

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
