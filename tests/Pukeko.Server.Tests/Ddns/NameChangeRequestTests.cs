using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Ddns;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Ddns;

/// <summary>When name-change requests are made, from what, and with which fields (digest §2.6, §2.9).</summary>
public sealed class NameChangeRequestTests
{
    private const string Body = """
        "dhcp-ddns": { "enable-updates": true },
        "ddns-qualifying-suffix": "example.com",
        "valid-lifetime": 4000, "preferred-lifetime": 3000,
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                       "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 64 } ] } ]
        """;

    private static readonly Ipv6Address First = Ipv6Address.Parse("2001:db8:1::10");

    private sealed class Harness : IDisposable
    {
        public Harness(string body = Body)
        {
            H = PipelineHarness.FromDhcp6(body);
            Sender = new NcrSender(H.Config.DhcpDdns, H.Statistics, NullLogger.Instance, static (_, _) => ValueTask.CompletedTask);
            H.Processor.Ddns.Sender = Sender;
            H.Processor.Ddns.Queued = Requests.Add;
        }

        public PipelineHarness H { get; }

        public NcrSender Sender { get; }

        public List<NameChangeRequest> Requests { get; } = [];

        public Dhcp6Message Request(string name, byte flags = ClientFqdnOption.FlagS, bool partial = true, uint iaid = 1, params uint[] moreIaids)
        {
            var request = Create(MessageType.Request, iaid: iaid, serverId: PipelineHarness.ServerDuid);
            foreach (var more in moreIaids)
            {
                request.Options.Add(new IaNaOption(more, 0, 0));
            }

            request.Options.Add(new ClientFqdnOption(flags, name, partial));
            return H.Exchange(request).Reply!;
        }

        public Dhcp6Message Renew(string? name, Ipv6Address address)
        {
            var renew = Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid);
            if (name is not null)
            {
                renew.Options.Add(new ClientFqdnOption(ClientFqdnOption.FlagS, name, isPartialName: true));
            }

            return H.Exchange(renew).Reply!;
        }

        public void Dispose()
        {
            Sender.DisposeAsync().AsTask().GetAwaiter().GetResult();
            H.Dispose();
        }
    }

    [Fact]
    public void RequestSendsOneAddWithEveryField()
    {
        using var t = new Harness();
        t.Request("laptop");
        var ncr = Assert.Single(t.Requests);
        Assert.Equal(NameChangeType.Add, ncr.ChangeType);
        Assert.True(ncr.ForwardChange);
        Assert.True(ncr.ReverseChange);
        Assert.Equal("laptop.example.com.", ncr.Fqdn);
        Assert.Equal("2001:db8:1::10", ncr.IpAddress);
        Assert.Equal(Dhcid.Compute(ClientDuid.ToArray(), "laptop.example.com."), ncr.Dhcid);
        Assert.Equal(1333u, ncr.LeaseLength);
        Assert.Equal(0, ncr.LeaseExpiresOn);
        Assert.Equal(DdnsConflictResolution.CheckWithDhcid, ncr.ConflictResolution);
    }

    [Fact]
    public void ClientDoingTheForwardUpdateGetsAReverseOnlyAdd()
    {
        using var t = new Harness();
        t.Request("laptop", flags: 0);
        var ncr = Assert.Single(t.Requests);
        Assert.False(ncr.ForwardChange);
        Assert.True(ncr.ReverseChange);
    }

    [Fact]
    public void ClientAskingForNoUpdateGetsNone()
    {
        using var t = new Harness();
        t.Request("laptop", flags: ClientFqdnOption.FlagN);
        Assert.Empty(t.Requests);
        var lease = t.H.Store.Get(First)!;
        Assert.Equal("laptop.example.com.", lease.Hostname);
        Assert.False(lease.FqdnForward || lease.FqdnReverse);
    }

    [Fact]
    public void NoUpdatesWhenTheSubnetSaysNotToSend()
    {
        using var t = new Harness(Body.Replace("\"interface\": \"eth0\",", "\"interface\": \"eth0\", \"ddns-send-updates\": false,", StringComparison.Ordinal));
        t.Request("laptop");
        Assert.Empty(t.Requests);
    }

    [Fact]
    public void GeneratedNameIsWhatTheAddCarries()
    {
        using var t = new Harness();
        t.Request("");
        Assert.Equal("myhost-2001-db8-1--10.example.com.", Assert.Single(t.Requests).Fqdn);
        Assert.Equal("myhost-2001-db8-1--10.example.com.", t.H.Store.Get(First)!.Hostname);
    }

    [Fact]
    public void OnlyTheFirstIaNaAddressGetsAnAdd()
    {
        using var t = new Harness();
        var reply = t.Request("laptop", iaid: 1, moreIaids: 2);
        Assert.NotNull(AddressOf(reply, 2));
        Assert.Equal("2001:db8:1::10", Assert.Single(t.Requests).IpAddress);
    }

    [Fact]
    public void RenewWithTheSameNameSendsNothing()
    {
        using var t = new Harness();
        t.Request("laptop");
        t.H.Time.Advance(TimeSpan.FromSeconds(2000));
        t.Renew("laptop", First);
        Assert.Single(t.Requests);
    }

    [Fact]
    public void RenewWithAnotherNameRemovesTheOldOneThenAddsTheNew()
    {
        using var t = new Harness();
        t.Request("laptop");
        t.H.Time.Advance(TimeSpan.FromSeconds(2000));
        t.Renew("desktop", First);
        Assert.Equal(3, t.Requests.Count);
        Assert.Equal((NameChangeType.Remove, "laptop.example.com."), (t.Requests[1].ChangeType, t.Requests[1].Fqdn));
        Assert.Equal(1_700_000_000 + 1333, t.Requests[1].LeaseExpiresOn);
        Assert.Equal((NameChangeType.Add, "desktop.example.com."), (t.Requests[2].ChangeType, t.Requests[2].Fqdn));
    }

    [Fact]
    public void UpdateOnRenewResendsEveryTime()
    {
        using var t = new Harness(Body.Replace("\"ddns-qualifying-suffix\"", "\"ddns-update-on-renew\": true, \"ddns-qualifying-suffix\"", StringComparison.Ordinal));
        t.Request("laptop");
        t.H.Time.Advance(TimeSpan.FromSeconds(10));
        t.Renew("laptop", First);
        Assert.Equal([NameChangeType.Add, NameChangeType.Remove, NameChangeType.Add], t.Requests.Select(r => r.ChangeType));
    }

    [Fact]
    public void ReleaseRemovesTheName()
    {
        using var t = new Harness();
        t.Request("laptop");
        var release = Create(MessageType.Release, address: First, serverId: PipelineHarness.ServerDuid);
        t.H.Exchange(release);
        Assert.Equal(2, t.Requests.Count);
        var remove = t.Requests[1];
        Assert.Equal(NameChangeType.Remove, remove.ChangeType);
        Assert.Equal("laptop.example.com.", remove.Fqdn);
        Assert.Equal(t.Requests[0].Dhcid, remove.Dhcid);
    }

    [Fact]
    public void ClientBackAfterReleaseGetsItsNameAddedAgainAndReclamationDoesNotRemoveItTwice()
    {
        using var t = new Harness();
        t.Request("laptop");
        t.H.Exchange(Create(MessageType.Release, address: First, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(Pukeko.Server.Leases.LeaseState.Released, t.H.Store.Get(First)!.State);
        t.H.Time.Advance(TimeSpan.FromSeconds(5));
        t.Request("laptop");
        Assert.Equal([NameChangeType.Add, NameChangeType.Remove, NameChangeType.Add], t.Requests.Select(r => r.ChangeType));

        t.H.Exchange(Create(MessageType.Release, address: First, serverId: PipelineHarness.ServerDuid));
        t.H.Time.Advance(TimeSpan.FromSeconds(5));
        var reclaimer = new LeaseReclaimer(t.H.Processor.Allocation.Writer, t.H.Processor.Allocation.Claims, t.H.Leases, NullLogger.Instance);
        Assert.Equal(1, reclaimer.Reclaim(ExpirationConfig.Default, t.H.Config.FindSubnet, t.H.Time.GetUtcNow().ToUnixTimeSeconds()));
        Assert.Equal(4, t.Requests.Count);
    }

    [Fact]
    public void Ddns6UpdateCalloutsMayChangeTheNameAndTheDirections()
    {
        using var t = new Harness();
        var seen = new List<(string, bool, bool, string)>();
        t.H.Hooks.PreCalloutsLibraryHandle.RegisterCallout(Pukeko.Hooks.HookNames.Ddns6Update, handle =>
        {
            seen.Add((handle.GetArgument<string>("hostname"), handle.GetArgument<bool>("fwd-update"), handle.GetArgument<bool>("rev-update"),
                handle.GetArgument<Pukeko.Hooks.Configuration.DdnsParameters>("ddns-params").QualifyingSuffix));
            Assert.NotNull(handle.GetArgument<Pukeko.Protocol.Messages.Dhcp6Packet>("response6"));
            Assert.Equal(1u, handle.GetArgument<Pukeko.Hooks.Subnets.Subnet6>("subnet6").Id);
            handle.SetArgument("hostname", "hooked.example.net.");
            handle.SetArgument("fwd-update", false);
            return 0;
        });
        var reply = t.Request("laptop");
        Assert.Equal(("laptop.example.com.", true, true, "example.com"), Assert.Single(seen));
        var fqdn = reply.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn)!;
        Assert.Equal("hooked.example.net", fqdn.DomainName);
        var lease = t.H.Store.Get(First)!;
        Assert.Equal(("hooked.example.net.", false, true), (lease.Hostname, lease.FqdnForward, lease.FqdnReverse));

        // The ADD follows the reply's flags (S still set), as Kea's createNameChangeRequests does, with the new name.
        Assert.Equal("hooked.example.net.", Assert.Single(t.Requests).Fqdn);
    }

    [Fact]
    public void Ddns6UpdateTurningBothDirectionsOffTellsTheClientNoUpdates()
    {
        using var t = new Harness();
        t.H.Hooks.PreCalloutsLibraryHandle.RegisterCallout(Pukeko.Hooks.HookNames.Ddns6Update, handle =>
        {
            handle.SetArgument("fwd-update", false);
            handle.SetArgument("rev-update", false);
            return 0;
        });
        var fqdn = t.Request("laptop").Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn)!;
        Assert.Equal(ClientFqdnOption.FlagN, (byte)(fqdn.Flags & (ClientFqdnOption.FlagN | ClientFqdnOption.FlagS)));
        Assert.Empty(t.Requests);
    }

    [Fact]
    public void DeclineRemovesTheName()
    {
        using var t = new Harness();
        t.Request("laptop");
        t.H.Exchange(Create(MessageType.Decline, address: First, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(NameChangeType.Remove, t.Requests[^1].ChangeType);
        Assert.Equal(2, t.Requests.Count);
    }

    [Fact]
    public void ReclamationRemovesTheName()
    {
        using var t = new Harness();
        t.Request("laptop");
        t.H.Time.Advance(TimeSpan.FromSeconds(5000));
        var reclaimer = new LeaseReclaimer(t.H.Processor.Allocation.Writer, t.H.Processor.Allocation.Claims, t.H.Leases, NullLogger.Instance);
        Assert.Equal(1, reclaimer.Reclaim(ExpirationConfig.Default, t.H.Config.FindSubnet, t.H.Time.GetUtcNow().ToUnixTimeSeconds()));
        Assert.Equal((NameChangeType.Remove, "laptop.example.com."), (t.Requests[^1].ChangeType, t.Requests[^1].Fqdn));
    }

    [Fact]
    public void PrefixLeasesNeverMakeRequests()
    {
        using var t = new Harness();
        var request = Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);
        request.Options.Remove(request.Options.Get<IaNaOption>(OptionCode.IaNa)!);
        request.Options.Add(new IaPdOption(1, 0, 0));
        request.Options.Add(new ClientFqdnOption(ClientFqdnOption.FlagS, "router", true));
        t.H.Exchange(request);
        Assert.Empty(t.Requests);
    }

    [Fact]
    public void NothingIsBuiltWhileDdnsIsOff()
    {
        using var t = new Harness();
        t.H.Processor.Ddns.Sender = null;
        t.Request("laptop");
        Assert.Empty(t.Requests);
    }

    [Fact]
    public async Task ResendDdnsAndDeleteWithUpdateDdnsQueueFromTheStoredLease()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["dhcp-ddns"] = new JsonObject { ["enable-updates"] = true, ["server-port"] = 1 };
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        var requests = new List<NameChangeRequest>();
        server.Server.Ddns!.Queued = requests.Add;
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-add", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::11", "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1, "valid-lft": 4000, "fqdn-fwd": true, "fqdn-rev": false, "hostname": "host.example.org."}}"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-add", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::12", "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:25", "iaid": 1, "valid-lft": 4000}}"""), ControlResult.Success);
        Assert.Empty(requests);

        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-resend-ddns", "arguments": {"ip-address": "2001:db8:1::11"}}"""), ControlResult.Success, "NCR generated for: 2001:db8:1::11, hostname: host.example.org.");
        var add = Assert.Single(requests);
        Assert.Equal((NameChangeType.Add, true, false, "host.example.org."), (add.ChangeType, add.ForwardChange, add.ReverseChange, add.Fqdn));
        Assert.Equal(1333u, add.LeaseLength);

        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-resend-ddns", "arguments": {"ip-address": "2001:db8:1::12"}}"""), ControlResult.Conflict, "Lease for: 2001:db8:1::12, has no hostname, nothing to update");
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-resend-ddns", "arguments": {"ip-address": "2001:db8:1::13"}}"""), ControlResult.Empty, "No lease found for: 2001:db8:1::13");

        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-del", "arguments": {"ip-address": "2001:db8:1::11", "update-ddns": true}}"""), ControlResult.Success, "IPv6 lease deleted.");
        Assert.Equal(NameChangeType.Remove, requests[^1].ChangeType);
        Assert.Equal(2, requests.Count);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-del", "arguments": {"ip-address": "2001:db8:1::12", "update-ddns": "yes"}}"""), ControlResult.Error);
    }

    [Fact]
    public async Task ResendDdnsWithDdnsOffIsAConflict()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-resend-ddns", "arguments": {"ip-address": "2001:db8:1::11"}}"""), ControlResult.Conflict, "DDNS updating is not enabled");
    }
}
