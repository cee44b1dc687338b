using System.Text;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Hooks.Leases;
using Pukeko.Protocol.Duids;
using static Pukeko.Server.BuiltIn.ForensicLog.ForensicLogEntries;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>The wording of forensic log entries, as Kea's forensic logging library writes them.</summary>
public sealed class ForensicLogEntriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static Lease6 Lease(string address = "2001:db8:1::1", uint valid = 4000, LeaseType type = LeaseType.NA, byte prefixLength = 128) =>
        new(type, Ipv6Address.Parse(address), prefixLength, new Duid([0x00, 0x03, 0x00, 0x01, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]), 666, 1)
        {
            ValidLifetime = valid,
            PreferredLifetime = valid / 2,
            HardwareAddress = [0x66, 0x55, 0x44, 0x33, 0x22, 0x11],
            HardwareType = 1,
            HardwareAddressSource = 2,
        };

    [Theory]
    [InlineData(0u, "0 hrs 0 mins 0 secs")]
    [InlineData(4000u, "1 hrs 6 mins 40 secs")]
    [InlineData(1000u, "0 hrs 16 mins 40 secs")]
    [InlineData(86400u, "1 days 0 hrs 0 mins 0 secs")]
    [InlineData(200000u, "2 days 7 hrs 33 mins 20 secs")]
    [InlineData(0xFFFFFFFFu, "infinite duration")]
    public void Durations_are_days_hours_minutes_seconds(uint seconds, string text) => Assert.Equal(text, Duration(seconds));

    [Fact]
    public void An_assigned_address_names_the_duid_and_the_hardware_address_with_its_source()
    {
        Assert.Equal(
            "Address: 2001:db8:1::1 has been assigned for 1 hrs 6 mins 40 secs to a device with DUID: 00:03:00:01:66:55:44:33:22:11 and hardware address: hwtype=1 66:55:44:33:22:11 (from DUID)",
            ForensicLogEntries.Lease(Lease(), null, LeaseAction.Assigned));
    }

    [Fact]
    public void A_released_prefix_has_no_duration_and_no_hardware_address_when_the_lease_has_none()
    {
        var lease = Lease("2001:db8:8::", 3000, LeaseType.PD, 56);
        lease.HardwareAddress = null;
        Assert.Equal(
            "Prefix: 2001:db8:8::/56 has been released from a device with DUID: 00:03:00:01:66:55:44:33:22:11",
            ForensicLogEntries.Lease(lease, null, LeaseAction.Released));
    }

    [Fact]
    public void A_relayed_query_adds_the_outer_relay_and_the_identifiers_nearest_the_client()
    {
        var query = new Dhcp6Packet(new Dhcp6Message(MessageType.Request, 1));
        var outer = new RelayLayer(MessageType.RelayForward, 1, Ipv6Address.Parse("3001::1"), Ipv6Address.Parse("fe80::abcd"));
        outer.Options.Add(new RawOption(OptionCode.RemoteId, [0x00, 0x00, 0x00, 0x09, 0xff]));
        var inner = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("3002::1"), Ipv6Address.Parse("fe80::1"));
        inner.Options.Add(new RawOption(OptionCode.RemoteId, [0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b]));
        inner.Options.Add(new RawOption(OptionCode.SubscriberId, Encoding.ASCII.GetBytes("sub1")));
        inner.Options.Add(new RawOption(OptionCode.InterfaceId, Encoding.ASCII.GetBytes("eth0")));
        query.Relays.Add(outer);
        query.Relays.Add(inner);
        var lease = Lease();
        lease.HardwareAddress = null;
        lease.UserContext = (JsonObject)JsonNode.Parse("""{"zeta": [1, 2], "alpha": {"b": true}}""")!;

        Assert.Equal(
            "Address: 2001:db8:1::1 has been assigned for 1 hrs 6 mins 40 secs to a device with DUID: 00:03:00:01:66:55:44:33:22:11"
            + " connected via relay at address: fe80::abcd for client on link address: 3001::1, hop count: 1"
            + ", identified by remote-id: 01:02:03:04:0a:0b and subscriber-id: 73:75:62:31 (sub1)"
            + ", connected at location interface-id: 65:74:68:30 (eth0)"
            + ", context: { \"alpha\": { \"b\": true }, \"zeta\": [ 1, 2 ] }",
            ForensicLogEntries.Lease(lease, query, LeaseAction.Assigned));
    }

    [Fact]
    public void Lease6_add_names_the_address_and_duid()
    {
        var entry = Assert.Single(Command("lease6-add", Args("""{"subnet-id": 1, "ip-address": "2001:db8:1::1", "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1234}"""), Ok, Now, _ => false));
        Assert.Equal("Administrator added a lease of address: 2001:db8:1::1 to a device with DUID: 1a:1b:1c:1d:1e:1f:20:21:22:23:24", entry);
    }

    [Fact]
    public void Lease6_update_adds_the_hardware_address_and_the_valid_lifetime()
    {
        var entry = Assert.Single(Command("lease6-update", Args("""{"subnet-id": 1, "ip-address": "2001:db8:1::1", "duid": "01:02:03:04:05:06:07:08", "iaid": 1234, "hw-address": "1a:1b:1c:1d:1e:1f", "preferred-lft": 500, "valid-lft": 1000, "hostname": "urania.example.org"}"""), Ok, Now, _ => false));
        Assert.Equal("Administrator updated information on the lease of address: 2001:db8:1::1 to a device with DUID: 01:02:03:04:05:06:07:08, hardware address: 1a:1b:1c:1d:1e:1f for 0 hrs 16 mins 40 secs", entry);
    }

    [Fact]
    public void A_prefix_from_an_ha_partner_with_expire_and_comment()
    {
        var expire = Now.ToUnixTimeSeconds() + 90;
        var entry = Assert.Single(Command("lease6-add", Args($$"""{"type": "IA_PD", "ip-address": "2001:db8:8::", "prefix-len": 48, "duid": "01:02", "expire": {{expire}}, "origin": "ha-partner", "user-context": {"x": 1}, "comment": "vip"}"""), Ok, Now, _ => false));
        Assert.Equal("HA partner added a lease of prefix: 2001:db8:8::/48 to a device with DUID: 01:02 for 0 hrs 1 mins 30 secs, context: { \"comment\": \"vip\", \"x\": 1 }", entry);
    }

    [Fact]
    public void Lease6_del_by_address_and_by_identifier()
    {
        Assert.Equal(
            "Administrator deleted the lease for address: 2001:db8:1::1",
            Assert.Single(Command("lease6-del", Args("""{"ip-address": "2001:db8:1::1"}"""), Ok, Now, _ => false)));
        Assert.Equal(
            "Administrator deleted a lease for a device identified by: duid of 00:03:00:01:66:55:44:33:22:11",
            Assert.Single(Command("lease6-del", Args("""{"subnet-id": 1, "identifier": "00:03:00:01:66:55:44:33:22:11", "identifier-type": "duid", "iaid": 666}"""), Ok, Now, _ => false)));
    }

    [Fact]
    public void Failed_commands_other_commands_and_unlogged_subnets_write_nothing()
    {
        var args = Args("""{"subnet-id": 7, "ip-address": "2001:db8:1::1", "duid": "01:02"}""");
        Assert.Empty(Command("lease6-add", args, new JsonObject { ["result"] = 1, ["text"] = "no" }, Now, _ => false));
        Assert.Empty(Command("lease6-wipe", Args("""{"subnet-id": 1}"""), Ok, Now, _ => false));
        Assert.Empty(Command("lease6-get", args, Ok, Now, _ => false));
        Assert.Empty(Command("lease6-add", args, Ok, Now, id => id == 7));
        Assert.Single(Command("lease6-add", args, Ok, Now, id => id == 8));
    }

    [Fact]
    public void A_missing_duid_is_an_error_not_an_entry() =>
        Assert.Throws<FormatException>(() => Command("lease6-add", Args("""{"ip-address": "2001:db8:1::1"}"""), Ok, Now, _ => false));

    [Fact]
    public void Bulk_apply_logs_each_applied_lease_as_a_delete_or_an_update_and_skips_the_failed_ones()
    {
        var args = Args("""
            {
              "deleted-leases": [ { "ip-address": "2001:db8:1::5", "type": "IA_NA" }, { "ip-address": "2001:db8:1::6" } ],
              "leases": [ { "ip-address": "2001:db8:1::7", "duid": "0a:0b", "valid-lft": 60 }, { "ip-address": "2001:db8:1::8", "duid": "0c" } ],
              "origin": "ha-partner"
            }
            """);
        var response = new JsonObject
        {
            ["result"] = 0,
            ["arguments"] = new JsonObject
            {
                ["failed-deleted-leases"] = new JsonArray(new JsonObject { ["ip-address"] = "2001:db8:1::6" }),
                ["failed-leases"] = new JsonArray(new JsonObject { ["ip-address"] = "2001:db8:1::8" }),
            },
        };
        Assert.Equal(
            [
                "HA partner deleted the lease for address: 2001:db8:1::5",
                "HA partner updated information on the lease of address: 2001:db8:1::7 to a device with DUID: 0a:0b for 0 hrs 1 mins 0 secs",
            ],
            Command("lease6-bulk-apply", args, response, Now, _ => false));
    }

    private static JsonObject Ok => new() { ["result"] = 0, ["text"] = "done" };

    private static JsonNode Args(string json) => JsonNode.Parse(json)!;
}
