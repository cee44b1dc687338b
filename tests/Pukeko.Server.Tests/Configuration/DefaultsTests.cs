using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class DefaultsTests
{
    private static readonly DhcpConfig Minimal = LoadOk(Dhcp6("""
        "subnet6": [ { "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff" } ] } ]
        """));

    [Fact]
    public void LifetimesDefaultToKeaValues()
    {
        var subnet = Assert.Single(Minimal.Subnets);
        Assert.Equal(new Lifetime(7200, 7200, 7200), subnet.ValidLifetime);

        // Unspecified preferred-lifetime is 5/8 of valid-lifetime (Kea 2.4+), i.e. 4500 for 7200.
        Assert.Equal(new Lifetime(4500, 4500, 4500), subnet.PreferredLifetime);
        Assert.Null(subnet.RenewTimer);
        Assert.Null(subnet.RebindTimer);
        Assert.True(subnet.CalculateTeeTimes);
        Assert.Equal(0.5, subnet.T1Percent);
        Assert.Equal(0.8, subnet.T2Percent);
        Assert.False(subnet.RapidCommit);
        Assert.Null(subnet.Interface);
        Assert.Empty(subnet.Options);
    }

    [Fact]
    public void GlobalSectionsDefaultToKeaValues()
    {
        Assert.Equal(new LeaseDatabaseConfig("memfile", "/srv/kea-data/kea-leases6.csv", true, 3600, 0), Minimal.LeaseDatabase);
        Assert.Equal(ServerIdConfig.Default, Minimal.ServerId);
        Assert.Equal(DuidKind.Llt, Minimal.ServerId.Type);
        Assert.True(Minimal.ServerId.Persist);
        Assert.Equal(86400u, Minimal.DeclineProbationPeriod);
        Assert.Equal(new ExpirationConfig(10, 25, 3600, 100, 250, 5), Minimal.ExpiredLeasesProcessing);
        Assert.Equal(new MultiThreadingConfig(true, 0, 64), Minimal.MultiThreading);
        Assert.Equal("", Minimal.ServerTag);
        Assert.Equal(256u, Minimal.ParkedPacketLimit);
        Assert.Empty(Minimal.Interfaces);
        Assert.Empty(Minimal.Loggers);
        Assert.Empty(Minimal.HooksLibraries);
        Assert.Empty(Minimal.GlobalOptions);
        Assert.True(Minimal.ReDetectInterfaces);
    }

    [Fact]
    public void MinAndMaxDefaultToTheValueItself()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "valid-lifetime": 3000, "preferred-lifetime": 2000,
            "subnet6": [ { "subnet": "2001:db8::/64" } ]
            """)).Subnets);
        Assert.Equal(new Lifetime(3000, 3000, 3000), subnet.ValidLifetime);
        Assert.Equal(new Lifetime(2000, 2000, 2000), subnet.PreferredLifetime);
    }

    [Fact]
    public void DerivedPreferredScalesEachBound()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "min-valid-lifetime": 800, "valid-lifetime": 1600, "max-valid-lifetime": 3200,
            "subnet6": [ { "subnet": "2001:db8::/64" } ]
            """)).Subnets);
        Assert.Equal(new Lifetime(800, 1600, 3200), subnet.ValidLifetime);
        Assert.Equal(new Lifetime(500, 1000, 2000), subnet.PreferredLifetime);
    }

    [Fact]
    public void OnlyBoundsGivenUsesTheLowerBoundAsDefault()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "min-valid-lifetime": 100, "max-valid-lifetime": 900,
            "subnet6": [ { "subnet": "2001:db8::/64" } ]
            """)).Subnets);
        Assert.Equal(new Lifetime(100, 100, 900), subnet.ValidLifetime);
    }

    [Fact]
    public void GlobalSectionsAreRead()
    {
        var result = Load(Dhcp6("""
            "interfaces-config": { "interfaces": [ "eth0", "eth1/2001:db8::1", "*" ], "re-detect": false,
                                   "service-sockets-require-all": true, "service-sockets-max-retries": 5,
                                   "service-sockets-retry-wait-time": 1000 },
            "lease-database": { "type": "memfile", "name": "leases.csv", "persist": "false", "lfc-interval": 0, "max-row-errors": 3 },
            "server-id": { "type": "EN", "persist": false, "identifier": "0a:0B:0c", "enterprise-id": 2495, "htype": 1, "time": 12345 },
            "decline-probation-period": 600,
            "expired-leases-processing": { "reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 2, "hold-reclaimed-time": 3,
                                           "max-reclaim-leases": 4, "max-reclaim-time": 5, "unwarned-reclaim-cycles": 6 },
            "multi-threading": { "enable-multi-threading": false, "thread-pool-size": 4, "packet-queue-size": 16 },
            "server-tag": "alpha", "parked-packet-limit": 10,
            "user-context": { "anything": [1, 2] }, "comment": "ignored"
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.Equal(
            [new InterfaceSpec("eth0", null), new InterfaceSpec("eth1", Protocol.Addressing.Ipv6Address.Parse("2001:db8::1")), new InterfaceSpec("*", null)],
            config.Interfaces);
        Assert.True(config.Interfaces[2].IsWildcard);
        Assert.False(config.ReDetectInterfaces);
        Assert.True(config.ServiceSocketsRequireAll);
        Assert.Equal(5u, config.ServiceSocketsMaxRetries);
        Assert.Equal(1000u, config.ServiceSocketsRetryWaitTime);
        Assert.Equal(new LeaseDatabaseConfig("memfile", "/srv/kea-data/leases.csv", false, 0, 3), config.LeaseDatabase);
        Assert.Equal(DuidKind.En, config.ServerId.Type);
        Assert.False(config.ServerId.Persist);
        Assert.Equal(new byte[] { 0x0a, 0x0b, 0x0c }, config.ServerId.Identifier);
        Assert.Equal(2495u, config.ServerId.EnterpriseId);
        Assert.Equal((ushort)1, config.ServerId.HardwareType);
        Assert.Equal(12345u, config.ServerId.Time);
        Assert.Equal(600u, config.DeclineProbationPeriod);
        Assert.Equal(new ExpirationConfig(1, 2, 3, 4, 5, 6), config.ExpiredLeasesProcessing);
        Assert.Equal(new MultiThreadingConfig(false, 4, 16), config.MultiThreading);
        Assert.Equal("alpha", config.ServerTag);
        Assert.Equal(10u, config.ParkedPacketLimit);
    }

    [Fact]
    public void AbsoluteLeaseFileIsKept()
    {
        var config = LoadOk(Dhcp6("""
            "lease-database": { "type": "memfile", "name": "/var/tmp/l6.csv", "persist": true }
            """));
        Assert.Equal("/var/tmp/l6.csv", config.LeaseDatabase.FilePath);
        Assert.True(config.LeaseDatabase.Persist);
    }

    [Fact]
    public void LoggersAreReadInBothSpellings()
    {
        var config = LoadOk(Dhcp6("""
            "loggers": [
              { "name": "kea-dhcp6", "severity": "debug", "debuglevel": 99,
                "output-options": [ { "output": "kea.log", "flush": false, "maxsize": 2048, "maxver": 4, "pattern": "%m\n" } ] },
              { "name": "kea-dhcp6.packets", "output_options": [ { "output": "syslog:local0" } ] },
              { "name": "kea-dhcp6.leases" }
            ]
            """));
        Assert.Equal(3, config.Loggers.Count);
        var first = config.Loggers[0];
        Assert.Equal("kea-dhcp6", first.Name);
        Assert.Equal("DEBUG", first.Severity);
        Assert.Equal(99, first.DebugLevel);
        Assert.Equal(new LoggerOutputConfig("/srv/kea-log/kea.log", false, 2048, 4, "%m\n"), Assert.Single(first.Outputs));
        Assert.Equal(new LoggerOutputConfig("syslog:local0"), Assert.Single(config.Loggers[1].Outputs));
        Assert.Equal("INFO", config.Loggers[1].Severity);
        Assert.Equal(0, config.Loggers[1].DebugLevel);
        Assert.Equal("stdout", Assert.Single(config.Loggers[2].Outputs).Output);
    }

    [Fact]
    public void HooksLibrariesKeepParametersAndResolveBareNames()
    {
        var config = LoadOk(Dhcp6("""
            "hooks-libraries": [
              { "library": "/opt/hooks/libdhcp_lease_cmds.so" },
              { "library": "libcustom_hooks.so", "parameters": { "floor": 13, "users": [ "alice" ] } }
            ]
            """));
        Assert.Equal("/opt/hooks/libdhcp_lease_cmds.so", config.HooksLibraries[0].Library);
        Assert.Null(config.HooksLibraries[0].Parameters);
        Assert.Equal("/srv/kea-hooks/libcustom_hooks.so", config.HooksLibraries[1].Library);
        Assert.Equal(13, config.HooksLibraries[1].Parameters!.Value.GetProperty("floor").GetInt32());
    }
}
