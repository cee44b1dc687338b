using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class FixtureTests
{
    [Fact]
    public void ForgeShapedConfigurationLoadsWithoutErrors()
    {
        var result = Load(ConfigFixtures.Forge);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var config = result.Config!;

        Assert.Equal([new InterfaceSpec("fgs0", null)], config.Interfaces);
        Assert.Equal(2, config.Subnets.Count);
        var s1 = config.Subnets[0];
        Assert.Equal(1u, s1.Id);
        Assert.Equal(Ipv6Prefix.Parse("3000::/64"), s1.Prefix);
        Assert.Equal("fgs0", s1.Interface);
        var pool = Assert.Single(s1.Pools);
        Assert.Equal(Ipv6Address.Parse("3000::1"), pool.First);
        Assert.Equal(Ipv6Address.Parse("3000::ff"), pool.Last);
        Assert.True(Assert.Single(pool.Options).AlwaysSend);
        Assert.Equal(32, Assert.Single(s1.Options).Data.Length);
        Assert.Equal(Lifetime.Fixed(4000), s1.ValidLifetime);
        Assert.Equal(Lifetime.Fixed(3000), s1.PreferredLifetime);
        Assert.Equal(1000u, s1.RenewTimer);
        Assert.Equal(2000u, s1.RebindTimer);
        Assert.Equal(5u, Assert.Single(config.Subnets[1].Pools).PoolId);

        Assert.Equal("/srv/kea-data/kea-leases6.csv", config.LeaseDatabase.FilePath);
        var logger = Assert.Single(config.Loggers);
        Assert.Equal(("kea-dhcp6", "DEBUG", 99), (logger.Name, logger.Severity, logger.DebugLevel));
        Assert.Equal("/srv/kea-log/kea.log", Assert.Single(logger.Outputs).Output);
        Assert.Equal("/usr/local/lib/kea/hooks/libdhcp_lease_cmds.so", Assert.Single(config.HooksLibraries).Library);
        Assert.Equal("/srv/kea-run/control_socket", Assert.Single(config.ControlSockets).SocketName);
        Assert.Single(config.GlobalOptions);

        // Every key of Forge's shape is implemented now: nothing is ignored.
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void OperatorConfigurationLoadsWithWarningsOnly()
    {
        var result = Load(ConfigFixtures.Operator);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var config = result.Config!;

        Assert.Equal([1u, 2u, 3u], config.Subnets.Select(s => s.Id));
        Assert.Equal(Ipv6Address.Parse("2001:db8:ffff::1"), config.Interfaces[1].UnicastAddress);
        Assert.Equal(2, config.GlobalOptions.Count);
        Assert.Equal(new byte[] { 0x0a, 0x0b }, config.GlobalOptions[1].Data);

        var s1 = config.Subnets[0];
        Assert.Equal((UInt128)1 << 48, Assert.Single(s1.Pools).Capacity);
        Assert.Equal(Lifetime.Fixed(4000), s1.ValidLifetime);
        var pd = Assert.Single(s1.PdPools);
        Assert.Equal((Ipv6Prefix.Parse("2001:db8:8::/56"), (byte)64, (UInt128)256), (pd.Prefix, pd.DelegatedLength, pd.Capacity));

        var s2 = config.Subnets[1];
        Assert.Equal([Ipv6Address.Parse("2001:db8:2::1")], s2.RelayAddresses);
        Assert.Equal(new Lifetime(300, 600, 1200), s2.ValidLifetime);
        Assert.Equal(Lifetime.Fixed(3000), s2.PreferredLifetime); // inherited from global
        Assert.True(s2.RapidCommit);
        Assert.Equal(7u, s2.FindPool(Ipv6Address.Parse("2001:db8:2::1:1"))!.PoolId);

        Assert.Equal("/srv/kea-log/kea-dhcp6.log", Assert.Single(Assert.Single(config.Loggers).Outputs).Output);
        Assert.Equal(
            Array.Empty<string>(),
            result.Warnings.Select(w => w.Path).Order());
        Assert.Equal("third floor", config.Source.GetProperty("Dhcp6").GetProperty("subnet6")[2].GetProperty("comment").GetString());
    }
}
