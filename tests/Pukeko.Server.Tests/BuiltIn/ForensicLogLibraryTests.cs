using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>The built-in forensic log as the hooks manager runs it: loaded for Kea's library name, called on Kea's hook points.</summary>
public sealed class ForensicLogLibraryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero));
    private readonly HooksManager _hooks = new();

    public ForensicLogLibraryTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _hooks.Time = _time;
    }

    public void Dispose()
    {
        _hooks.Dispose();
        _dir.Dispose();
    }

    private string LogFile => Path.Combine(_dir.Path, "kea-legal.20260506.txt");

    private void Load(string extra = "")
    {
        var parameters = JsonDocument.Parse($$"""{ "path": "{{_dir.Path}}", "timestamp-format": "%F %T" {{extra}} }""").RootElement.Clone();
        _hooks.Load([new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_lease_cmds.so", null), new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_legal_log.so", parameters)], multiThreading: true);
    }

    private static Lease6 Lease(string address, uint iaid = 7) => new()
    {
        Address = Ipv6Address.Parse(address),
        Duid = [0x00, 0x03, 0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f],
        Iaid = iaid,
        ValidLifetime = 3600,
        SubnetId = 1,
    };

    private static Dhcp6Packet Packet(MessageType type, params Lease6[] leases)
    {
        var message = new Dhcp6Message(type, 0x1234);
        foreach (var lease in leases)
        {
            var ia = new IaNaOption(lease.Iaid, 100, 200);
            ia.Options.Add(new IaAddressOption(lease.Address, 1800, lease.ValidLifetime));
            message.Options.Add(ia);
        }

        return new Dhcp6Packet(message);
    }

    /// <summary>One client exchange the way the pipeline calls the hook points (leases passed as views), with one handle for the packet.</summary>
    private void Exchange(Dhcp6Packet query, Dhcp6Packet response, IReadOnlyList<Lease6> leases, IReadOnlyList<Lease6> deleted, Lease6? released = null)
    {
        var handle = _hooks.CreateHandle();
        handle.SetArgument("query6", query);
        _hooks.Call(HookPoints.Pkt6Receive, handle);
        HooksManager.EndCall(handle);
        if (released is not null)
        {
            handle.SetArgument("query6", query);
            handle.SetArgument("lease6", LeaseViews.ToView(released));
            _hooks.Call(HookPoints.Lease6Release, handle);
            HooksManager.EndCall(handle);
        }

        handle.SetArgument("query6", query);
        handle.SetArgument("response6", response);
        handle.SetArgument("leases6", LeaseViews.ToViews(leases));
        handle.SetArgument("deleted_leases6", LeaseViews.ToViews(deleted));
        _hooks.Call(HookPoints.Leases6Committed, handle);
        HooksManager.EndCall(handle);

        handle.SetArgument("query6", query);
        handle.SetArgument("response6", response);
        handle.SetArgument<Pukeko.Hooks.Subnets.Subnet6?>("subnet6", null);
        _hooks.Call(HookPoints.Pkt6Send, handle);
        HooksManager.EndCall(handle);
        _hooks.ReleaseHandle(handle);
    }

    [Fact]
    public void The_library_is_loaded_under_its_kea_name_and_opens_its_file_with_the_first_entry()
    {
        Load();
        Assert.Equal(["libdhcp_legal_log.so"], _hooks.LibraryNames);
        Assert.False(File.Exists(LogFile));
        _hooks.UnloadAll();
        Assert.Empty(_hooks.LibraryNames);
    }

    [Fact]
    public void A_missing_directory_fails_the_load()
    {
        var parameters = JsonDocument.Parse("""{ "path": "/nonexistent/forensic" }""").RootElement.Clone();
        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig("libdhcp_forensic_log.so", parameters)], multiThreading: true));
        Assert.Contains("/nonexistent/forensic does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Committed_leases_are_logged_when_the_reply_is_sent()
    {
        Load();
        var assigned = Lease("2001:db8:1::10");
        var replaced = Lease("2001:db8:1::11", iaid: 8);
        Exchange(Packet(MessageType.Request, assigned), Packet(MessageType.Reply, assigned), [assigned], [replaced]);
        Assert.Equal(
            "2026-05-06 07:08:09 Address: 2001:db8:1::10 has been assigned for 1 hrs 0 mins 0 secs to a device with DUID: 00:03:00:01:0a:0b:0c:0d:0e:0f\n"
            + "2026-05-06 07:08:09 Address: 2001:db8:1::11 has been released from a device with DUID: 00:03:00:01:0a:0b:0c:0d:0e:0f\n",
            File.ReadAllText(LogFile));
    }

    [Fact]
    public void A_release_is_logged_once_and_a_dropped_reply_not_at_all()
    {
        Load();
        _hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Send, handle =>
        {
            if (handle.GetArgument<Dhcp6Packet>("query6").Type == MessageType.Renew)
            {
                handle.Status = NextStep.Drop;
            }

            return 0;
        });
        var lease = Lease("2001:db8:1::10");
        Exchange(Packet(MessageType.Release, lease), Packet(MessageType.Reply), [], [lease], released: lease);
        Exchange(Packet(MessageType.Renew, lease), Packet(MessageType.Reply, lease), [lease], []);
        Assert.Equal(
            "2026-05-06 07:08:09 Address: 2001:db8:1::10 has been released from a device with DUID: 00:03:00:01:0a:0b:0c:0d:0e:0f\n",
            File.ReadAllText(LogFile));
    }

    [Fact]
    public void Custom_formats_see_only_the_ia_of_the_lease_being_logged()
    {
        Load("""
            , "request-parser-format": "'req ' + addrtotext(substring(option[3].option[5].hex, 0, 16)) + 0x0a",
              "response-parser-format": "'msgtype ' + uint8totext(substring(pkt6.msgtype, 3, 1))"
            """);
        var first = Lease("2001:db8:1::10", iaid: 1);
        var second = Lease("2001:db8:1::20", iaid: 2);
        Exchange(Packet(MessageType.Request, first, second), Packet(MessageType.Reply, first, second), [first, second], []);
        Assert.Equal(
            "2026-05-06 07:08:09-req 2001:db8:1::10\n2026-05-06 07:08:09 msgtype 7\n"
            + "2026-05-06 07:08:09-req 2001:db8:1::20\n2026-05-06 07:08:09 msgtype 7\n",
            File.ReadAllText(LogFile));
    }

    [Fact]
    public void Lease_commands_are_logged_through_command_processed_except_in_unlogged_subnets()
    {
        Load();
        var config = Pukeko.Server.Tests.Configuration.ConfigTest.LoadOk("""
            { "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:2::/64", "user-context": { "legal-logging": false } } ] } }
            """);
        Assert.Null(_hooks.CallSrvConfigured(config));
        var ok = new JsonObject { ["result"] = 0, ["text"] = "Lease added." };
        _hooks.CommandProcessed("lease6-add", JsonNode.Parse("""{ "subnet-id": 1, "ip-address": "2001:db8:1::1", "duid": "01:02:03" }"""), ok);
        _hooks.CommandProcessed("lease6-add", JsonNode.Parse("""{ "subnet-id": 2, "ip-address": "2001:db8:2::1", "duid": "01:02:03" }"""), ok);
        _hooks.CommandProcessed("lease6-del", JsonNode.Parse("""{ "ip-address": "2001:db8:1::1" }"""), ok);
        Assert.Equal(
            "2026-05-06 07:08:09 Administrator added a lease of address: 2001:db8:1::1 to a device with DUID: 01:02:03\n"
            + "2026-05-06 07:08:09 Administrator deleted the lease for address: 2001:db8:1::1\n",
            File.ReadAllText(LogFile));
    }

    [Fact]
    public void Unlogged_subnets_are_read_from_subnets_and_shared_networks()
    {
        var config = Pukeko.Server.Tests.Configuration.ConfigTest.LoadOk("""
            { "Dhcp6": {
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "user-context": { "legal-logging": false } },
                             { "id": 2, "subnet": "2001:db8:2::/64", "user-context": { "legal-logging": true } },
                             { "id": 3, "subnet": "2001:db8:3::/64" } ],
                "shared-networks": [ { "name": "net", "subnet6": [ { "id": 4, "subnet": "2001:db8:4::/64", "user-context": { "legal-logging": false } } ] } ] } }
            """);
        Assert.Equal([1L, 4L], ForensicLogLibrary.UnloggedSubnets(Pukeko.Server.Hooks.Views.ConfigViews.Of(config).Server).Order());
    }
}
