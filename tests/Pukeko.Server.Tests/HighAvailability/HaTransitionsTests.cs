using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Tests.HighAvailability;

public sealed class HaTransitionsTests
{
    private static readonly HaRelationshipConfig Primary = HaQueryFilterTests.Relationship(HaMode.HotStandby, "server1");
    private static readonly HaRelationshipConfig Standby = HaQueryFilterTests.Relationship(HaMode.HotStandby, "server2");
    private static readonly HaRelationshipConfig LbSecondary = HaQueryFilterTests.Relationship(HaMode.LoadBalancing, "server2");

    private static string? Next(HaRelationshipConfig config, string state, string? partner, bool down = false, bool unsent = false) =>
        HaTransitions.Next(config, state, partner, down, unsent, TimeSpan.Zero);

    [Theory]
    [InlineData("waiting", "hot-standby", "syncing")]
    [InlineData("waiting", "load-balancing", "syncing")]
    [InlineData("waiting", "partner-down", "syncing")]
    [InlineData("waiting", "ready", "syncing")]
    [InlineData("waiting", "in-maintenance", "syncing")]
    [InlineData("waiting", "syncing", null)]
    [InlineData("waiting", "terminated", null)]
    [InlineData("waiting", "unavailable", null)]
    [InlineData("syncing", "hot-standby", "ready")]
    [InlineData("syncing", "terminated", "terminated")]
    [InlineData("ready", "hot-standby", "hot-standby")]
    [InlineData("ready", "ready", null)]
    [InlineData("ready", "in-maintenance", "partner-in-maintenance")]
    [InlineData("ready", "partner-in-maintenance", "in-maintenance")]
    [InlineData("ready", "terminated", "terminated")]
    [InlineData("hot-standby", "hot-standby", null)]
    [InlineData("hot-standby", "partner-down", "waiting")]
    [InlineData("hot-standby", "in-maintenance", "partner-in-maintenance")]
    [InlineData("hot-standby", "load-balancing", "waiting")]
    [InlineData("hot-standby", "unavailable", null)]
    [InlineData("partner-down", "waiting", null)]
    [InlineData("partner-down", "syncing", null)]
    [InlineData("partner-down", "ready", "hot-standby")]
    [InlineData("partner-down", "partner-down", "waiting")]
    [InlineData("partner-down", "terminated", "terminated")]
    [InlineData("partner-in-maintenance", "unavailable", "partner-down")]
    [InlineData("terminated", "hot-standby", null)]
    [InlineData("in-maintenance", "hot-standby", null)]
    public void The_standby_follows_keas_transitions(string state, string partner, string? next)
    {
        Assert.Equal(next, Next(Standby, state, partner));
    }

    [Fact]
    public void When_both_wait_or_are_ready_the_primary_moves_first()
    {
        Assert.Equal("syncing", Next(Primary, "waiting", "waiting"));
        Assert.Null(Next(Standby, "waiting", "waiting"));
        Assert.Equal("hot-standby", Next(Primary, "ready", "ready"));
        Assert.Null(Next(Standby, "ready", "ready"));
    }

    [Fact]
    public void Without_sync_leases_waiting_goes_straight_to_ready()
    {
        var noSync = Standby with { SyncLeases = false };
        Assert.Equal("ready", Next(noSync, "waiting", "hot-standby"));
    }

    [Theory]
    [InlineData("waiting")]
    [InlineData("syncing")]
    [InlineData("ready")]
    [InlineData("hot-standby")]
    public void An_unreachable_partner_is_declared_down_only_when_the_test_says_so(string state)
    {
        Assert.Equal("partner-down", Next(Standby, state, "unavailable", down: true));
        Assert.Equal("partner-down", Next(Standby, state, null, down: true));
    }

    [Fact]
    public void A_returning_partner_with_unsent_updates_sends_partner_down_back_to_waiting()
    {
        Assert.Equal("waiting", Next(Primary, "partner-down", "ready", unsent: true));
        Assert.Equal("load-balancing", Next(LbSecondary, "partner-down", "ready"));
    }

    [Fact]
    public void Backups_and_passive_backup_leave_waiting_for_their_own_states()
    {
        var backup = Primary with
        {
            ThisServerName = "backup1",
            Peers = [.. Primary.Peers, new HaPeerConfig { Name = "backup1", Url = new Uri("http://192.0.2.3:8001/"), Role = HaRole.Backup }],
        };
        Assert.Equal("backup", Next(backup, "waiting", null));
        Assert.Null(Next(backup, "backup", "unavailable", down: true));

        var passive = Primary with { Mode = HaMode.PassiveBackup, Peers = [Primary.Peers[0]] };
        Assert.Equal("passive-backup", Next(passive, "waiting", null));
    }

    [Fact]
    public void A_clock_skew_over_a_minute_terminates()
    {
        Assert.Equal("terminated", HaTransitions.Next(Standby, "hot-standby", "hot-standby", false, false, TimeSpan.FromSeconds(-61)));
        Assert.Null(HaTransitions.Next(Standby, "hot-standby", "hot-standby", false, false, TimeSpan.FromSeconds(59)));
    }
}
