using Pukeko.Server.HighAvailability;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.HighAvailability;

public sealed class HaConfigTests
{
    private const string HaPath = "Dhcp6/hooks-libraries[1]/parameters/high-availability";

    private const string TwoPeers = """
        "peers": [
            { "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" },
            { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby", "auto-failover": false,
              "basic-auth-user": "kea", "basic-auth-password": "secret" } ]
        """;

    private static string Ha(string relationships, string library = "/some/where/libdhcp_ha.so") => Dhcp6($$"""
        "hooks-libraries": [
            { "library": "libdhcp_lease_cmds.so" },
            { "library": "{{library}}", "parameters": { "high-availability": [ {{relationships}} ] } } ]
        """);

    private static string One(string keys, string peers = TwoPeers) => Ha("{ " + keys + (keys.Length > 0 ? ", " : "") + peers + " }");

    private static HaRelationshipConfig Relationship(string text)
    {
        var config = LoadOk(text);
        return Assert.Single(Assert.IsType<HaConfig>(config.HooksLibraries[1].BuiltInOptions).Relationships);
    }

    [Fact]
    public void A_hot_standby_relationship_from_any_directory_is_accepted_with_keas_defaults()
    {
        var r = Relationship(One("\"this-server-name\": \"server2\", \"mode\": \"hot-standby\""));

        Assert.Equal("server2", r.ThisServerName);
        Assert.Equal(HaMode.HotStandby, r.Mode);
        Assert.Equal(TimeSpan.FromSeconds(10), r.HeartbeatDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), r.MaxResponseDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), r.MaxAckDelay);
        Assert.Equal(10, r.MaxUnackedClients);
        Assert.Null(r.MaxRejectedLeaseUpdates);
        Assert.Equal(0, r.DelayedUpdatesLimit);
        Assert.True(r.SendLeaseUpdates);
        Assert.True(r.SyncLeases);
        Assert.Equal(TimeSpan.FromSeconds(60), r.SyncTimeout);
        Assert.Equal(10000, r.SyncPageLimit);
        Assert.False(r.WaitBackupAck);
        Assert.True(r.RequireClientCerts);
        Assert.False(r.RestrictCommands);
        Assert.Equal(new HaMultiThreading(), r.MultiThreading);
        Assert.Empty(r.StatePausing);

        Assert.Equal("server1", r.Partner!.Name);
        Assert.Equal(new Uri("http://192.0.2.1:8001/"), r.Partner.Url);
        Assert.True(r.Partner.AutoFailover);
        var self = r.ThisServer;
        Assert.Equal(HaRole.Standby, self.Role);
        Assert.False(self.AutoFailover);
        Assert.Equal("kea", self.BasicAuthUser);
        Assert.Equal("secret", self.BasicAuthPassword);
    }

    [Fact]
    public void The_user_and_password_can_both_come_from_files_as_in_kea_3()
    {
        using var directory = new TempDirectory();
        var userFile = Path.Combine(directory.Path, "user");
        var passwordFile = Path.Combine(directory.Path, "password");
        File.WriteAllText(userFile, "hauser");
        File.WriteAllText(passwordFile, "hapass");
        var peers = $$"""
            "peers": [ { "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary",
                         "basic-auth-user-file": "{{userFile}}", "basic-auth-password-file": "{{passwordFile}}" },
                       { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" } ]
            """;
        var r = Relationship(One("\"this-server-name\": \"server2\", \"mode\": \"hot-standby\"", peers));
        Assert.Equal(("hauser", "hapass"), (r.Partner!.BasicAuthUser, r.Partner.BasicAuthPassword));
    }

    [Fact]
    public void Every_parameter_is_read()
    {
        var r = Relationship(One("""
            "this-server-name": "server1", "mode": "load-balancing", "heartbeat-delay": 3000, "max-response-delay": 9000,
            "max-ack-delay": 5000, "max-unacked-clients": 0, "max-rejected-lease-updates": 7, "delayed-updates-limit": 20,
            "send-lease-updates": false, "sync-leases": false, "sync-timeout": 15000, "sync-page-limit": 50,
            "require-client-certs": false, "restrict-commands": true,
            "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 2, "http-client-threads": 3 },
            "state-machine": { "states": [ { "state": "waiting", "pause": "once" }, { "state": "ready", "pause": "always" }, { "state": "syncing" } ] }
            """, """
            "peers": [ { "name": "server2", "url": "http://[2001:db8::2]:8001/", "role": "secondary" },
                       { "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" },
                       { "name": "backup1", "url": "http://192.0.2.3:8001/", "role": "backup" } ]
            """));

        Assert.Equal(HaMode.LoadBalancing, r.Mode);
        Assert.Equal(TimeSpan.FromSeconds(3), r.HeartbeatDelay);
        Assert.Equal(TimeSpan.FromSeconds(9), r.MaxResponseDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), r.MaxAckDelay);
        Assert.Equal(0, r.MaxUnackedClients);
        Assert.Equal(7, r.MaxRejectedLeaseUpdates);
        Assert.Equal(20, r.DelayedUpdatesLimit);
        Assert.False(r.SendLeaseUpdates);
        Assert.False(r.SyncLeases);
        Assert.Equal(TimeSpan.FromSeconds(15), r.SyncTimeout);
        Assert.Equal(50, r.SyncPageLimit);
        Assert.False(r.RequireClientCerts);
        Assert.True(r.RestrictCommands);
        Assert.Equal(new HaMultiThreading(true, true, 2, 3), r.MultiThreading);
        Assert.Equal(HaPausing.Once, r.StatePausing["waiting"]);
        Assert.Equal(HaPausing.Always, r.StatePausing["ready"]);
        Assert.Equal(HaPausing.Never, r.StatePausing["syncing"]);

        // Kea's order: primary, then secondary, then backups, whatever the configured order.
        Assert.Equal(["server1", "server2", "backup1"], r.Peers.Select(p => p.Name));
        Assert.Equal("server2", r.Partner!.Name);
        Assert.Equal("backup1", Assert.Single(r.Backups).Name);
    }

    [Fact]
    public void Load_balancing_defaults_delayed_updates_limit_to_100()
    {
        var r = Relationship(One("\"this-server-name\": \"server1\", \"mode\": \"load-balancing\"", """
            "peers": [ { "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" },
                       { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "secondary" } ]
            """));
        Assert.Equal(100, r.DelayedUpdatesLimit);
    }

    [Fact]
    public void The_hub_and_spoke_form_is_accepted_without_warning()
    {
        var text = Ha("""
            { "this-server-name": "hub-a", "mode": "hot-standby",
              "peers": [ { "name": "a", "url": "http://192.0.2.1:8001/", "role": "primary" },
                         { "name": "hub-a", "url": "http://192.0.2.9:8001/", "role": "standby" } ] },
            { "this-server-name": "hub-b", "mode": "hot-standby",
              "peers": [ { "name": "b", "url": "http://192.0.2.2:8001/", "role": "primary" },
                         { "name": "hub-b", "url": "http://192.0.2.9:8002/", "role": "standby" } ] }
            """);
        var result = Load(text);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var config = Assert.IsType<HaConfig>(result.Config!.HooksLibraries[1].BuiltInOptions);
        Assert.Equal(["a", "b"], config.Relationships.Select(r => r.Partner!.Name));
        Assert.DoesNotContain(result.Warnings, w => w.Path == HaPath);
    }

    [Fact]
    public void Hub_and_spoke_needs_hot_standby_and_server_names_unique_across_relationships()
    {
        var text = Ha("""
            { "this-server-name": "hub", "mode": "load-balancing",
              "peers": [ { "name": "a", "url": "http://192.0.2.1:8001/", "role": "primary" },
                         { "name": "hub", "url": "http://192.0.2.9:8001/", "role": "secondary" } ] },
            { "this-server-name": "hub", "mode": "hot-standby",
              "peers": [ { "name": "a", "url": "http://192.0.2.2:8001/", "role": "primary" },
                         { "name": "hub", "url": "http://192.0.2.9:8002/", "role": "standby" } ] }
            """);
        var result = LoadFails(text, HaPath + "[0]/mode", "must be in the hot-standby mode");
        AssertError(result, HaPath + "[1]/peers", "server names must be unique for different relationships: 'a' appears in more than one relationship");

        // This server's own name too (Kea 2.6+ maps every name to its relationship).
        AssertError(result, HaPath + "[1]/peers", "'hub' appears in more than one relationship");
    }

    [Theory]
    [InlineData("\"mode\": \"hot-standby\"", "", "'this-server-name' parameter missing")]
    [InlineData("\"this-server-name\": \"server1\"", "", "'mode' parameter missing")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"active-active\"", "/mode", "unsupported value 'active-active' for mode parameter")]
    [InlineData("\"this-server-name\": \"server9\", \"mode\": \"hot-standby\"", "/this-server-name", "no peer configuration specified for the 'server9'")]
    [InlineData("\"this-server-name\": \"\", \"mode\": \"hot-standby\"", "/this-server-name", "must not be empty")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"heartbeat-delay\": 70000", "/heartbeat-delay", "must not be greater than 65535")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"max-ack-delay\": -1", "/max-ack-delay", "must not be negative")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"sync-leases\": \"yes\"", "/sync-leases", "must be a boolean")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"sync-page-limit\": 1.5", "/sync-page-limit", "must be an integer")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"wait-backup-ack\": true", "/wait-backup-ack", "must be set to false in the hot standby configuration")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"delayed-updates-limit\": 5", "/delayed-updates-limit", "must be set to 0 in the hot standby configuration")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"multi-threading\": true", "/multi-threading", "must be a map")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"state-machine\": { \"states\": [ { \"state\": \"sleeping\" } ] }", "/state-machine/states[0]/state", "unknown state sleeping")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"state-machine\": { \"states\": [ { \"state\": \"ready\", \"pause\": \"sometimes\" } ] }", "/state-machine/states[0]/pause", "unsupported value sometimes")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"state-machine\": { \"states\": [ { \"state\": \"ready\" }, { \"state\": \"ready\" } ] }", "/state-machine/states[1]/state", "duplicated configuration for the 'ready' state")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"load-balancing\"", "/peers", "standby servers not allowed in the load balancing configuration")]
    [InlineData("\"this-server-name\": \"server1\", \"mode\": \"passive-backup\"", "/peers", "standby servers not allowed in the passive backup configuration")]
    public void A_mistake_in_a_relationship_is_an_error_with_its_path(string keys, string path, string reason)
    {
        LoadFails(One(keys), HaPath + "[0]" + path, reason);
    }

    [Theory]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "primary" }""", "/peers", "multiple primary servers specified")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "secondary" }""", "/peers", "secondary servers not allowed in the hot standby configuration")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "backup" }""", "/peers", "standby server required in the hot standby configuration")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "standby" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "backup" }""", "/peers", "primary server required in the hot standby configuration")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary" }, { "name": "server1", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[1]/name", "peer with name 'server1' already specified")]
    [InlineData("""{ "name": "server1", "url": "http://ha-peer.example:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]/url", "the host must be an IP address")]
    [InlineData("""{ "name": "server1", "url": "ftp://192.0.2.1/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]/url", "invalid URL")]
    [InlineData("""{ "name": "server1", "url": "https://192.0.2.1:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers", "https scheme is not supported for server server1 where TLS is disabled")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "boss" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]/role", "unsupported value 'boss' for role parameter")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary", "trust-anchor": "/ca.pem" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers", "bad TLS config for server server1: cert-file parameter is missing or empty")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary", "basic-auth-password": "a", "basic-auth-password-file": "/x" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]", "only one of basic-auth-password and basic-auth-password-file")]
    [InlineData("""{ "url": "http://192.0.2.1:8001/", "role": "primary" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]", "'name' parameter missing")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary", "basic-auth-user": "a", "basic-auth-user-file": "/x" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]", "only one of basic-auth-user and basic-auth-user-file")]
    [InlineData("""{ "name": "server1", "url": "http://192.0.2.1:8001/", "role": "primary", "basic-auth-user-file": "/nonexistent/pukeko-user" }, { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" }""", "/peers[0]/basic-auth-user-file", "bad user file in peer 'server1'")]
    public void A_mistake_in_the_peers_is_an_error_with_its_path(string peers, string path, string reason)
    {
        LoadFails(One("\"this-server-name\": \"server2\", \"mode\": \"hot-standby\"", "\"peers\": [ " + peers + " ]"), HaPath + "[0]" + path, reason);
    }

    [Fact]
    public void The_parameters_must_hold_a_high_availability_list()
    {
        var text = Dhcp6("""
            "hooks-libraries": [ { "library": "libdhcp_ha.so", "parameters": { "high-availability": { } } } ]
            """);
        LoadFails(text, "Dhcp6/hooks-libraries[0]/parameters/high-availability", "HA configuration must be a list");
        LoadFails(Dhcp6("""
            "hooks-libraries": [ { "library": "libdhcp_ha.so" } ]
            """), "Dhcp6/hooks-libraries[0]/parameters", "'high-availability' list");
    }

    [Fact]
    public void Parameters_that_cannot_apply_yet_are_warned_about_with_their_path()
    {
        var result = Load(One("""
            "this-server-name": "server1", "mode": "hot-standby", "sync-leases": true, "restrict-commands": true,
            "require-client-certs": false, "max-rejected-lease-updates": 3, "unknown-key": 1,
            "trust-anchor": "/ca.pem", "cert-file": "/c.pem", "key-file": "/k.pem",
            "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": false }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var at = HaPath + "[0]";
        Assert.DoesNotContain(result.Warnings, w => w.Path == at + "/sync-leases"); // synchronisation is built in
        AssertWarning(result, at + "/restrict-commands", "only to the dedicated HA listener");
        AssertWarning(result, at + "/require-client-certs", "'cert-required'");
        Assert.DoesNotContain(result.Warnings, w => w.Path == at + "/multi-threading");
        Assert.DoesNotContain(result.Warnings, w => w.Path == at + "/max-rejected-lease-updates"); // applied: rejected clients lead to terminated
        AssertWarning(result, at + "/unknown-key", "ignored");
        Assert.DoesNotContain(result.Warnings, w => w.Path == at && w.Message.Contains("TLS", StringComparison.Ordinal)); // TLS to peers is built in
    }

    [Fact]
    public void Thread_counts_are_warned_about_each_at_its_own_path()
    {
        var result = Load(One("""
            "this-server-name": "server1", "mode": "hot-standby", "sync-leases": false,
            "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 2, "http-client-threads": 3 }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var at = HaPath + "[0]/multi-threading";
        AssertWarning(result, at + "/http-listener-threads", "not limited to a number of threads");
        AssertWarning(result, at + "/http-client-threads", "not limited to a number of threads");

        // Without the listener its thread count has nothing to size; 0 (Kea's default: the DHCP thread count) is not warned about.
        result = Load(One("""
            "this-server-name": "server1", "mode": "hot-standby", "sync-leases": false,
            "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": false, "http-listener-threads": 2, "http-client-threads": 0 }
            """));
        Assert.DoesNotContain(result.Warnings, w => w.Path.StartsWith(at, StringComparison.Ordinal));
    }

    [Fact]
    public void The_library_is_built_in_rather_than_refused()
    {
        var result = Load(One("\"this-server-name\": \"server1\", \"mode\": \"hot-standby\", \"sync-leases\": false"));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Path == "Dhcp6/hooks-libraries[1]/library");
        Assert.True(Pukeko.Server.Hosting.Dhcp6Server.IsBuiltInHookLibrary("/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so"));
        Assert.Empty(result.Warnings);
    }
}
