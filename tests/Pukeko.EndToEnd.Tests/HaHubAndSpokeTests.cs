using System.Diagnostics;
using System.Globalization;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.HaControl;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// HA hub and spoke (Kea 2.6+), three real Pukeko servers on two links (<see cref="HaHubLab"/>): spoke A is the
/// primary of relationship A (subnet 2001:db8:1::/64 on link A), spoke B of relationship B (2001:db8:2::/64 on
/// link B), and the hub is the standby of both, its subnets mapped by <c>ha-server-name</c>, with one dedicated HA
/// listener per relationship (at its address on each link). A real <c>dhclient -6</c> on each link gets its lease
/// from its spoke; each lease reaches the hub and only the hub. Spoke A is killed with SIGKILL: the hub takes over
/// subnet A (partner-down in relationship A) and extends client A's lease, while relationship B stays hot-standby.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaHubAndSpokeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly HaPeer SpokeA = new("spoke-a", HaHubLab.SpokeAAddress);
    private static readonly HaPeer SpokeB = new("spoke-b", HaHubLab.SpokeBAddress);
    private static readonly HaPeer HubA = new("hub-a", HaHubLab.HubAddressA);
    private static readonly HaPeer HubB = new("hub-b", HaHubLab.HubAddressB);

    private readonly HaHubLab _lab = new();
    private readonly string _clientADir = Directory.CreateTempSubdirectory("pukeko-hub-a-").FullName;
    private readonly string _clientBDir = Directory.CreateTempSubdirectory("pukeko-hub-b-").FullName;

    private string HubConfig() => new HaConfigBuilder(HaHubLab.HubAddressA)
        .Subnet(1, "2001:db8:1::/64", _lab.HubInterfaceA, "2001:db8:1::100-2001:db8:1::1ff", haServerName: HubA.Name)
        // Written without an id: it gets 2, the lowest free one (spoke B's subnet id), and is still mapped to B.
        .Subnet(null, "2001:db8:2::/64", _lab.HubInterfaceB, "2001:db8:2::100-2001:db8:2::1ff", haServerName: SpokeB.Name)
        .HotStandby(HubA.Name, SpokeA, HubA)
        .HotStandby(HubB.Name, SpokeB, HubB)
        .Build();

    private string SpokeConfig(HaPeer spoke, HaPeer hub, int subnet) => new HaConfigBuilder(spoke.Address)
        .Subnet(subnet, $"2001:db8:{subnet}::/64", _lab.SpokeInterface, $"2001:db8:{subnet}::100-2001:db8:{subnet}::1ff")
        .HotStandby(spoke.Name, spoke, hub)
        .Build();

    /// <summary>The hub's state in each relationship, in configuration order.</summary>
    private List<string?> HubStates() =>
        Command(_lab.HubNamespace, HaHubLab.HubAddressA, StatusGet)?["arguments"]?["high-availability"]?.AsArray()
            .Select(r => r?["ha-servers"]?["local"]?["state"]?.GetValue<string>()).ToList() ?? [];

    [Fact]
    public void Each_spoke_replicates_to_the_hub_only_and_the_hub_takes_over_the_subnet_of_the_spoke_that_dies()
    {
        using var hub = ServerProcess.Start(_lab.HubNamespace, _lab.HubInterfaceA, HubConfig());
        using var spokeA = ServerProcess.Start(_lab.SpokeANamespace, _lab.SpokeInterface, SpokeConfig(SpokeA, HubA, 1));
        using var spokeB = ServerProcess.Start(_lab.SpokeBNamespace, _lab.SpokeInterface, SpokeConfig(SpokeB, HubB, 2));
        string Outputs() => $"\n--- hub\n{hub.Output}\n--- spoke A\n{spokeA.Output}\n--- spoke B\n{spokeB.Output}";

        var watch = Stopwatch.StartNew();
        Assert.True(
            Run.WaitFor(
                () => HubStates() is ["hot-standby", "hot-standby"]
                    && HaState(_lab.SpokeANamespace, HaHubLab.SpokeAAddress) == "hot-standby"
                    && HaState(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress) == "hot-standby",
                TimeSpan.FromSeconds(40)),
            $"not hot-standby everywhere: hub {string.Join("/", HubStates())}, spoke A {HaState(_lab.SpokeANamespace, HaHubLab.SpokeAAddress)}, spoke B {HaState(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress)}" + Outputs());
        output.WriteLine($"hot-standby in both relationships {watch.Elapsed.TotalSeconds:F1} s after start");

        // The hub's dedicated listeners, one per relationship, at its address on each link.
        Assert.Contains("ha-heartbeat", Command(_lab.SpokeANamespace, HaHubLab.SpokeAAddress, """{"command": "list-commands"}""")!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("hot-standby", Command(_lab.SpokeBNamespace, HaHubLab.HubAddressB, """{"command": "ha-heartbeat", "arguments": {"server-name": "spoke-b"}}""", port: 8002)?["arguments"]?["state"]?.GetValue<string>());
        Assert.Equal("expected one relationship to be configured", Command(_lab.SpokeANamespace, HaHubLab.HubAddressA, """{"command": "ha-heartbeat"}""", port: 8002)?["text"]?.GetValue<string>());

        using var clientA = new Dhclient(_lab.ClientANamespace, _lab.ClientInterface, _clientADir);
        using var clientB = new Dhclient(_lab.ClientBNamespace, _lab.ClientInterface, _clientBDir);
        var (code, text) = clientA.Obtain();
        Assert.True(code == 0, text + Outputs());
        (code, text) = clientB.Obtain();
        Assert.True(code == 0, text + Outputs());
        var addressA = clientA.Addresses().Last();
        var addressB = clientB.Addresses().Last();
        Assert.StartsWith("2001:db8:1::", addressA, StringComparison.Ordinal);
        Assert.StartsWith("2001:db8:2::", addressB, StringComparison.Ordinal);

        // Each spoke answered its own client; the hub holds both leases, each spoke only its own.
        Assert.NotNull(Lease(_lab.SpokeANamespace, HaHubLab.SpokeAAddress, addressA));
        Assert.NotNull(Lease(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress, addressB));
        Assert.True(Run.WaitFor(() => Lease(_lab.HubNamespace, HaHubLab.HubAddressA, addressA) is not null && Lease(_lab.HubNamespace, HaHubLab.HubAddressA, addressB) is not null, TimeSpan.FromSeconds(10)), "the hub is missing a lease" + Outputs());
        Assert.Null(Lease(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress, addressA));
        Assert.Null(Lease(_lab.SpokeANamespace, HaHubLab.SpokeAAddress, addressB));
        Assert.Equal(0, Statistic(_lab.HubNamespace, HaHubLab.HubAddressA, "pkt6-reply-sent"));

        // SIGKILL spoke A: the hub notices by itself, in relationship A only.
        Run.Checked("kill", "-9", spokeA.Pid.ToString(CultureInfo.InvariantCulture));
        var killedAt = DateTimeOffset.UtcNow;
        watch.Restart();
        Assert.True(Run.WaitFor(() => HubStates() is ["partner-down", _], TimeSpan.FromSeconds(20)), $"the hub did not go partner-down in relationship A: {string.Join("/", HubStates())}" + Outputs());
        output.WriteLine($"partner-down in relationship A {watch.Elapsed.TotalSeconds:F1} s after kill -9 (heartbeat-delay 1 s, max-response-delay 3 s)");
        Assert.Equal(["partner-down", "hot-standby"], HubStates());

        // Client A's Rebind (T2 = 6 s) is answered by the hub with the same address; client B stays with spoke B.
        Assert.True(
            Run.WaitFor(() => Lease(_lab.HubNamespace, HaHubLab.HubAddressA, addressA)?["cltt"]?.GetValue<long>() > killedAt.ToUnixTimeSeconds(), TimeSpan.FromSeconds(40)),
            "the hub never extended client A's lease" + Outputs());
        Assert.Equal(addressA, clientA.Addresses().Last());
        Assert.True(Statistic(_lab.HubNamespace, HaHubLab.HubAddressA, "pkt6-reply-sent") >= 1, "the hub sent no Reply");

        // Relationship B still works as before: the hub is its standby, and spoke B's renewals still reach it.
        Assert.Equal("hot-standby", HubStates()[1]);
        Assert.Equal("hot-standby", HaState(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress));
        var renewedB = Lease(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress, addressB)!["cltt"]!.GetValue<long>();
        Assert.True(
            Run.WaitFor(() => Lease(_lab.HubNamespace, HaHubLab.HubAddressA, addressB)?["cltt"]?.GetValue<long>() >= renewedB, TimeSpan.FromSeconds(10)),
            "spoke B's renewal did not reach the hub" + Outputs());
        Assert.Null(Lease(_lab.SpokeBNamespace, HaHubLab.SpokeBAddress, addressA));
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientADir, recursive: true);
        Directory.Delete(_clientBDir, recursive: true);
    }
}
