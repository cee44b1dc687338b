using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

public sealed class HaQueryFilterTests
{
    // Hash 238 (even): the primary's; hash 61 (odd): the secondary's (LoadBalancingHashTests).
    private static readonly Duid PrimaryClient = new(Convert.FromHexString("00030001001122334455"));
    private static readonly Duid SecondaryClient = new(Convert.FromHexString("00030001001122334457"));

    internal static HaRelationshipConfig Relationship(HaMode mode, string self, bool autoFailover = true) => new()
    {
        ThisServerName = self,
        Mode = mode,
        Peers =
        [
            new HaPeerConfig { Name = "server1", Url = new Uri("http://192.0.2.1:8001/"), Role = HaRole.Primary, AutoFailover = autoFailover },
            new HaPeerConfig { Name = "server2", Url = new Uri("http://192.0.2.2:8001/"), Role = mode == HaMode.LoadBalancing ? HaRole.Secondary : HaRole.Standby, AutoFailover = autoFailover },
        ],
    };

    private static Dhcp6Packet Query(MessageType type, Duid client) => new(ClientMessages.Create(type, clientId: client));

    [Fact]
    public void In_load_balancing_each_server_serves_the_clients_its_hash_gives_it()
    {
        var primary = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server1"));
        var secondary = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server2"));
        primary.ServeDefaultScopes();
        secondary.ServeDefaultScopes();

        Assert.Equal(["server1"], primary.ServedScopes);
        Assert.Equal(["server2"], secondary.ServedScopes);
        Assert.True(primary.InScope(Query(MessageType.Solicit, PrimaryClient)));
        Assert.False(primary.InScope(Query(MessageType.Solicit, SecondaryClient)));
        Assert.False(secondary.InScope(Query(MessageType.Request, PrimaryClient)));
        Assert.True(secondary.InScope(Query(MessageType.Renew, SecondaryClient)));
    }

    [Fact]
    public void Every_query_gets_the_class_of_its_scope_in_scope_or_not()
    {
        var primary = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server1"));
        primary.ServeDefaultScopes();
        var query = Query(MessageType.Solicit, SecondaryClient);
        Assert.False(primary.InScope(query));
        Assert.True(query.Classes.Contains("HA_server2"));
    }

    [Fact]
    public void In_hot_standby_the_standby_serves_nobody_until_partner_down()
    {
        var standby = new HaQueryFilter(Relationship(HaMode.HotStandby, "server2"));
        standby.ServeDefaultScopes();
        Assert.Empty(standby.ServedScopes);
        Assert.False(standby.InScope(Query(MessageType.Solicit, PrimaryClient)));
        Assert.False(standby.InScope(Query(MessageType.Solicit, SecondaryClient)));

        standby.ServeFailoverScopes();
        Assert.Equal(["server1"], standby.ServedScopes);
        Assert.True(standby.InScope(Query(MessageType.Rebind, SecondaryClient)));
    }

    [Fact]
    public void Information_requests_are_always_answered()
    {
        var standby = new HaQueryFilter(Relationship(HaMode.HotStandby, "server2"));
        standby.ServeNoScopes();
        var query = Query(MessageType.InformationRequest, PrimaryClient);
        Assert.True(standby.InScope(query));
        Assert.True(query.Classes.Contains("HA_server1"));
    }

    [Fact]
    public void Without_auto_failover_partner_down_serves_only_the_own_scope()
    {
        var secondary = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server2", autoFailover: false));
        secondary.ServeFailoverScopes();
        Assert.Equal(["server2"], secondary.ServedScopes);

        var withFailover = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server2"));
        withFailover.ServeFailoverScopes();
        Assert.Equal(["server1", "server2"], withFailover.ServedScopes);
    }

    [Fact]
    public void Ha_scopes_accepts_only_scope_names()
    {
        var standby = new HaQueryFilter(Relationship(HaMode.HotStandby, "server2"));
        standby.ServeScopes(["server1"]);
        Assert.Equal(["server1"], standby.ServedScopes);
        Assert.Throws<ArgumentException>(() => standby.ServeScopes(["server2"]));
        Assert.Throws<ArgumentException>(() => standby.ServeScopes(["nobody"]));
        Assert.Equal(["server1"], standby.ServedScopes);
        standby.ServeScopes([]);
        Assert.Empty(standby.ServedScopes);
    }

    [Fact]
    public void In_load_balancing_a_query_without_client_identifier_is_dropped()
    {
        var primary = new HaQueryFilter(Relationship(HaMode.LoadBalancing, "server1"));
        primary.ServeFailoverScopes();
        var message = new Dhcp6Message(MessageType.Solicit, 1);
        Assert.False(primary.InScope(new Dhcp6Packet(message)));
    }
}
