using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>pd-pools, shared networks, relay keys, relay-supplied-options, allocators and caching in the configuration.</summary>
public sealed class NetworkConfigTests
{
    private static string Subnet(string extra) => Dhcp6($$"""
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", {{extra}} } ]
        """);

    private static string PdPool(string pool) => Subnet($$""" "pd-pools": [ {{pool}} ] """);

    [Fact]
    public void APdPoolIsReadWithItsExclusionClassesAndOptions()
    {
        var config = LoadOk(PdPool("""
            { "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 56, "pool-id": 9,
              "excluded-prefix": "2001:db8:100:ff::", "excluded-prefix-len": 64, "client-classes": [ "cpe" ],
              "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] }
            """));
        var pool = Assert.Single(Assert.Single(config.Subnets).PdPools);
        Assert.Equal((Ipv6Prefix.Parse("2001:db8:100::/48"), (byte)56, 9u, (UInt128)256), (pool.Prefix, pool.DelegatedLength, pool.PoolId, pool.Capacity));
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:100:ff::/64"), pool.ExcludedPrefix);
        Assert.Equal(["cpe"], pool.ClientClasses);
        Assert.Single(pool.Options);
        Assert.Equal(new byte[] { 64, 0xff }, pool.PdExcludeData());
    }

    [Theory]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 48 }""", "Dhcp6/subnet6[0]/pd-pools[0]/delegated-len", "must not be shorter than prefix-len")]
    [InlineData("""{ "prefix": "2001:db8:100::", "delegated-len": 64 }""", "Dhcp6/subnet6[0]/pd-pools[0]", "missing mandatory parameter 'prefix-len'")]
    [InlineData("""{ "prefix": "2001:db8:100::1", "prefix-len": 48, "delegated-len": 64 }""", "Dhcp6/subnet6[0]/pd-pools[0]/prefix", "bits set beyond its length")]
    [InlineData("""{ "prefix": "nonsense", "prefix-len": 48, "delegated-len": 64 }""", "Dhcp6/subnet6[0]/pd-pools[0]/prefix", "not a valid IPv6 address")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 129 }""", "Dhcp6/subnet6[0]/pd-pools[0]/delegated-len", "out of range")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64, "excluded-prefix": "2001:db8:100::" }""", "Dhcp6/subnet6[0]/pd-pools[0]", "must be given together")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64, "excluded-prefix": "2001:db8:100::", "excluded-prefix-len": 64 }""", "Dhcp6/subnet6[0]/pd-pools[0]/excluded-prefix-len", "must be longer than delegated-len")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64, "excluded-prefix": "2001:db8:200::", "excluded-prefix-len": 72 }""", "Dhcp6/subnet6[0]/pd-pools[0]/excluded-prefix", "outside the pool prefix")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64 }, { "prefix": "2001:db8:100:8000::", "prefix-len": 49, "delegated-len": 64 }""", "Dhcp6/subnet6[0]/pd-pools[1]/prefix", "overlaps with pd-pool 2001:db8:100::/48")]
    [InlineData("""{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64, "pool": "x" }""", "Dhcp6/subnet6[0]/pd-pools[0]/pool", "unknown parameter")]
    public void BadPdPoolsAreRejectedWithTheirPath(string pool, string path, string fragment) => LoadFails(PdPool(pool), path, fragment);

    [Fact]
    public void APdPoolMayLieOutsideItsSubnet()
    {
        // Delegated prefixes are routed to the client, not on its link: Kea does not tie them to the subnet prefix.
        var config = LoadOk(PdPool("""{ "prefix": "3000::", "prefix-len": 48, "delegated-len": 64 }"""));
        Assert.Single(config.Subnets[0].PdPools);
    }

    [Fact]
    public void SharedNetworkParametersAreInheritedBySubnetsThatDoNotSetThem()
    {
        var config = LoadOk(Dhcp6("""
            "valid-lifetime": 1000, "allocator": "random", "cache-threshold": 0.1,
            "shared-networks": [ {
                "name": "floor-3", "interface-id": "port7", "relay": { "ip-addresses": [ "3000::1" ] },
                "valid-lifetime": 2000, "rapid-commit": true, "pd-allocator": "random", "cache-max-age": 60,
                "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
                "subnet6": [
                    { "id": 5, "subnet": "2001:db8:5::/64" },
                    { "id": 6, "subnet": "2001:db8:6::/64", "valid-lifetime": 3000, "rapid-commit": false, "allocator": "iterative",
                      "interface-id": "port8", "relay": { "ip-addresses": [ "3000::2" ] } }
                ] } ],
            "subnet6": [ { "id": 7, "subnet": "2001:db8:7::/64" } ]
            """));
        var network = Assert.Single(config.SharedNetworks);
        Assert.Equal("floor-3", network.Name);
        Assert.Equal([5u, 6u], network.Subnets.Select(s => s.Id));
        Assert.Equal([Ipv6Address.Parse("3000::1")], network.RelayAddresses);
        Assert.Single(network.Options);

        var s5 = config.FindSubnet(5)!;
        Assert.Same(network, s5.SharedNetwork);
        Assert.Equal((2000u, true, AllocatorKind.Random, AllocatorKind.Random, 0.1, 60u), (s5.ValidLifetime.Default, s5.RapidCommit, s5.Allocator, s5.PdAllocator, s5.CacheThreshold, s5.CacheMaxAge));
        Assert.Equal("port7"u8.ToArray(), s5.InterfaceId);
        Assert.Empty(s5.RelayAddresses); // the network's list is consulted at selection time, as Kea does

        var s6 = config.FindSubnet(6)!;
        Assert.Equal((3000u, false, AllocatorKind.Iterative), (s6.ValidLifetime.Default, s6.RapidCommit, s6.Allocator));
        Assert.Equal("port8"u8.ToArray(), s6.InterfaceId);
        Assert.Equal([Ipv6Address.Parse("3000::2")], s6.RelayAddresses);

        var s7 = config.FindSubnet(7)!;
        Assert.Null(s7.SharedNetwork);
        Assert.Equal((1000u, AllocatorKind.Random, AllocatorKind.Iterative, (uint?)null), (s7.ValidLifetime.Default, s7.Allocator, s7.PdAllocator, s7.CacheMaxAge));
    }

    [Fact]
    public void AnEmptyInterfaceIdIsNotSetAsInKea()
    {
        // Kea's config-get writes "interface-id": "" back out; it means no interface-id at all.
        var config = LoadOk(Dhcp6("""
            "shared-networks": [ {
                "name": "relayed", "interface-id": "port7",
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface-id": "" } ] },
              { "name": "local", "interface": "eth0", "interface-id": "",
                "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth0", "interface-id": "" } ] } ],
            "subnet6": [ { "id": 3, "subnet": "2001:db8:3::/64", "interface-id": "" } ]
            """));
        Assert.Equal("port7"u8.ToArray(), config.FindSubnet(1)!.InterfaceId); // inherited, not cleared
        Assert.Null(config.FindSubnet(2)!.InterfaceId);
        Assert.Equal("eth0", config.FindSubnet(2)!.Interface); // "" does not clash with interface
        Assert.Null(config.FindSubnet(3)!.InterfaceId);
    }

    [Fact]
    public void SubnetIdsAndPrefixesAreUniqueAcrossSharedNetworks()
    {
        var result = Load(Dhcp6("""
            "shared-networks": [ { "name": "a", "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ]
            """));
        Assert.False(result.Success);
        AssertError(result, "Dhcp6/shared-networks[0]/subnet6[0]/id", "already used");
        AssertError(result, "Dhcp6/shared-networks[0]/subnet6[0]/subnet", "already defined");
    }

    [Theory]
    [InlineData("""{ "subnet6": [] }""", "Dhcp6/shared-networks[0]", "missing mandatory parameter 'name'")]
    [InlineData("""{ "name": "" }""", "Dhcp6/shared-networks[0]/name", "must not be empty")]
    [InlineData("""{ "name": "a" }, { "name": "a" }""", "Dhcp6/shared-networks[1]/name", "already used")]
    [InlineData("""{ "name": "a", "interface": "eth0", "interface-id": "x" }""", "Dhcp6/shared-networks[0]/interface-id", "mutually exclusive")]
    [InlineData("""{ "name": "a", "interface": "eth0", "subnet6": [ { "subnet": "2001:db8::/64", "interface": "eth1" } ] }""", "Dhcp6/shared-networks[0]/subnet6[0]/interface", "differs from its shared network")]
    [InlineData("""{ "name": "a", "pools": [] }""", "Dhcp6/shared-networks[0]/pools", "unknown parameter")]
    [InlineData("""{ "name": "a", "relay": { "ip-addresses": [ "10.0.0.1" ] } }""", "Dhcp6/shared-networks[0]/relay/ip-addresses[0]", "not a valid IPv6 address")]
    public void BadSharedNetworksAreRejectedWithTheirPath(string network, string path, string fragment) =>
        LoadFails(Dhcp6($$""" "shared-networks": [ {{network}} ] """), path, fragment);

    [Theory]
    [InlineData(""" "interface": "eth0", "interface-id": "abc" """, "Dhcp6/subnet6[0]/interface-id", "mutually exclusive")]
    [InlineData(""" "relay": { "ip-address": "3000::1", "ip-addresses": [] } """, "Dhcp6/subnet6[0]/relay", "not both")]
    [InlineData(""" "relay": { "addresses": [] } """, "Dhcp6/subnet6[0]/relay/addresses", "unknown parameter")]
    [InlineData(""" "allocator": "fastest" """, "Dhcp6/subnet6[0]/allocator", "supported allocators are")]
    [InlineData(""" "cache-threshold": 1.5 """, "Dhcp6/subnet6[0]/cache-threshold", "less than 1")]
    [InlineData(""" "cache-max-age": -1 """, "Dhcp6/subnet6[0]/cache-max-age", "out of range")]
    public void BadRelayAllocatorAndCacheKeysAreRejectedWithTheirPath(string extra, string path, string fragment) =>
        LoadFails(Subnet(extra), path, fragment);

    [Fact]
    public void TheOldSingleRelayAddressSpellingIsAccepted()
    {
        var config = LoadOk(Subnet(""" "relay": { "ip-address": "3000::1" } """));
        Assert.Equal([Ipv6Address.Parse("3000::1")], config.Subnets[0].RelayAddresses);
    }

    [Fact]
    public void RelaySuppliedOptionsTakeCodesAndNamesAndAlwaysInclude65()
    {
        var config = LoadOk(Dhcp6(""" "relay-supplied-options": [ "110", "dns-servers" ] """));
        Assert.Equal(new HashSet<ushort> { 65, 110, 23 }, config.RelaySuppliedOptions.ToHashSet());
        Assert.Equal(new HashSet<ushort> { 65 }, LoadOk(Dhcp6("")).RelaySuppliedOptions.ToHashSet());
        LoadFails(Dhcp6(""" "relay-supplied-options": [ "no-such-option" ] """), "Dhcp6/relay-supplied-options[0]", "neither an option code");
    }

    [Fact]
    public void FreeLeaseQueueAllocatorsWarnAndFallBackToIterative()
    {
        var result = Load(Subnet(""" "pd-allocator": "flq" """));
        Assert.True(result.Success);
        AssertWarning(result, "Dhcp6/subnet6[0]/pd-allocator", "using 'iterative'");
        Assert.Equal(AllocatorKind.Iterative, result.Config!.Subnets[0].PdAllocator);
    }

    [Fact]
    public void SharedFlqPicksAtRandomAndNamesTheSubnetsWhoseWritesKeepTheSharedQueue()
    {
        var result = Load(Dhcp6("""
            "allocator": "shared-flq",
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pd-allocator": "shared-flq" },
                         { "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth0", "allocator": "random" } ],
            "shared-networks": [ { "name": "net", "interface": "eth0", "pd-allocator": "shared-flq", "allocator": "iterative",
                                   "subnet6": [ { "id": 3, "subnet": "2001:db8:3::/64" } ] } ]
            """));
        Assert.True(result.Success);
        AssertWarning(result, "Dhcp6/allocator", "picks at random");
        var subnets = result.Config!.Subnets.ToDictionary(s => s.Id);
        Assert.Equal((AllocatorKind.SharedFreeLeaseQueue, AllocatorKind.SharedFreeLeaseQueue), (subnets[1].Allocator, subnets[1].PdAllocator));
        Assert.Equal(AllocatorKind.Random, subnets[2].Allocator);
        Assert.Equal((AllocatorKind.Iterative, AllocatorKind.SharedFreeLeaseQueue), (subnets[3].Allocator, subnets[3].PdAllocator));
        Assert.Equal(
            new HashSet<(uint, Pukeko.Server.Leases.LeaseType)> { (1, Pukeko.Server.Leases.LeaseType.NA), (1, Pukeko.Server.Leases.LeaseType.PD), (3, Pukeko.Server.Leases.LeaseType.PD) },
            Pukeko.Server.Hosting.Dhcp6Server.SharedFreeLeaseQueueSubnets(result.Config).ToHashSet());
    }

    [Fact]
    public void CachingDefaultsToAQuarterOfTheValidLifetime() =>
        Assert.Equal((0.25, (uint?)null), (LoadOk(Subnet("\"pools\": []")).Subnets[0].CacheThreshold, LoadOk(Subnet("\"pools\": []")).Subnets[0].CacheMaxAge));
}
