using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>Kea's global behaviour keys: honoured, or accepted with a warning (at their path) that says why.</summary>
public sealed class ServerBehaviourKeysTests
{
    private static void AssertNoWarningAt(ConfigLoadResult result, string path) =>
        Assert.DoesNotContain(result.Warnings, w => w.Path == path);

    private static ConfigLoadResult LoadWithoutErrors(string body)
    {
        var result = Load(Dhcp6(body));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("not implemented yet; ignored", StringComparison.Ordinal));
        return result;
    }

    [Theory]
    [InlineData("none", (int)LeaseSanityMode.None)]
    [InlineData("warn", (int)LeaseSanityMode.Warn)]
    [InlineData("fix", (int)LeaseSanityMode.Fix)]
    [InlineData("fix-del", (int)LeaseSanityMode.FixDelete)]
    [InlineData("del", (int)LeaseSanityMode.Delete)]
    public void LeaseChecksAreRead(string text, int mode)
    {
        var result = LoadWithoutErrors($$"""
            "sanity-checks": { "lease-checks": "{{text}}", "extended-info-checks": "strict" }
            """);
        Assert.Equal((LeaseSanityMode)mode, result.Config!.LeaseChecks);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void LeaseChecksDefaultToWarn() => Assert.Equal(LeaseSanityMode.Warn, LoadOk(Dhcp6("")).LeaseChecks);

    [Fact]
    public void UnknownLeaseChecksValueIsRejected() =>
        LoadFails(Dhcp6("\"sanity-checks\": { \"lease-checks\": \"repair\" }"), "Dhcp6/sanity-checks/lease-checks", "supported values are: none, warn, fix, fix-del, del");

    [Theory]
    [InlineData("none", (int)ExtendedInfoSanityMode.None)]
    [InlineData("fix", (int)ExtendedInfoSanityMode.Fix)]
    [InlineData("strict", (int)ExtendedInfoSanityMode.Strict)]
    [InlineData("pedantic", (int)ExtendedInfoSanityMode.Pedantic)]
    public void ExtendedInfoChecksAreRead(string text, int mode)
    {
        var result = LoadWithoutErrors($$"""
            "sanity-checks": { "extended-info-checks": "{{text}}" }
            """);
        Assert.Equal((ExtendedInfoSanityMode)mode, result.Config!.ExtendedInfoChecks);
        Assert.Equal(LeaseSanityMode.Warn, result.Config.LeaseChecks);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ExtendedInfoChecksDefaultToFix() => Assert.Equal(ExtendedInfoSanityMode.Fix, LoadOk(Dhcp6("")).ExtendedInfoChecks);

    [Fact]
    public void ExtendedInfoChecksMustBeAString() =>
        LoadFails(Dhcp6("\"sanity-checks\": { \"extended-info-checks\": 1 }"), "Dhcp6/sanity-checks/extended-info-checks", "");

    [Fact]
    public void UnknownExtendedInfoChecksValueIsRejected() =>
        LoadFails(Dhcp6("\"sanity-checks\": { \"extended-info-checks\": \"lax\" }"), "Dhcp6/sanity-checks/extended-info-checks", "none, fix, strict, pedantic");

    [Fact]
    public void UnknownSanityCheckIsRejected() =>
        LoadFails(Dhcp6("\"sanity-checks\": { \"pool-checks\": \"warn\" }"), "Dhcp6/sanity-checks/pool-checks", "unknown parameter");

    [Fact]
    public void QueueControlWithoutThreadsSizesThePacketQueue()
    {
        var result = LoadWithoutErrors("""
            "multi-threading": { "enable-multi-threading": false },
            "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring6", "capacity": 250 }
            """);
        Assert.Equal(250, result.Config!.MultiThreading.PacketQueueSize);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void QueueControlWithThreadsIsTurnedOffWithAWarning()
    {
        var result = LoadWithoutErrors("""
            "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring6", "capacity": 250 }
            """);
        Assert.Equal(64, result.Config!.MultiThreading.PacketQueueSize);
        AssertWarning(result, "Dhcp6/dhcp-queue-control", "multi-threading is enabled");
    }

    [Fact]
    public void DisabledQueueControlChangesNothing()
    {
        var result = LoadWithoutErrors("""
            "multi-threading": { "enable-multi-threading": false, "packet-queue-size": 16 },
            "dhcp-queue-control": { "enable-queue": false, "queue-type": "kea-ring6", "capacity": 250 }
            """);
        Assert.Equal(16, result.Config!.MultiThreading.PacketQueueSize);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void EnabledQueueNeedsAKnownQueueType()
    {
        LoadFails(Dhcp6("\"dhcp-queue-control\": { \"enable-queue\": true }"), "Dhcp6/dhcp-queue-control", "queue-type is required");
        LoadFails(Dhcp6("\"dhcp-queue-control\": { \"enable-queue\": true, \"queue-type\": \"kea-ring4\" }"), "Dhcp6/dhcp-queue-control/queue-type", "not known");
        LoadFails(Dhcp6("\"dhcp-queue-control\": { \"enable-queue\": true, \"queue-type\": \"kea-ring6\", \"capacity\": 0 }"), "Dhcp6/dhcp-queue-control/capacity", "out of range");
    }

    [Fact]
    public void CompatibilityLenientParsingIsApplied()
    {
        AssertNoWarningAt(LoadWithoutErrors("\"compatibility\": { \"lenient-option-parsing\": false }"), "Dhcp6/compatibility/lenient-option-parsing");
        AssertNoWarningAt(LoadWithoutErrors("\"compatibility\": { \"lenient-option-parsing\": true }"), "Dhcp6/compatibility/lenient-option-parsing");
        Assert.True(LoadOk(Dhcp6("\"compatibility\": { \"lenient-option-parsing\": true }")).LenientOptionParsing);
        Assert.False(LoadOk(Dhcp6("")).LenientOptionParsing);
        LoadFails(Dhcp6("\"compatibility\": { \"ignore-rai-link-selection\": true }"), "Dhcp6/compatibility/ignore-rai-link-selection", "unknown parameter");
    }

    [Fact]
    public void IpReservationsUniqueIsAppliedWithoutWarning()
    {
        // Both host backends Pukeko has support false, so Kea's refusal (HOSTS_MGR_NON_UNIQUE_IP_UNSUPPORTED) never applies.
        AssertNoWarningAt(LoadWithoutErrors("\"ip-reservations-unique\": true"), "Dhcp6/ip-reservations-unique");
        AssertNoWarningAt(LoadWithoutErrors("\"ip-reservations-unique\": false"), "Dhcp6/ip-reservations-unique");
        Assert.False(LoadOk(Dhcp6("\"ip-reservations-unique\": false")).IpReservationsUnique);
        Assert.True(LoadOk(Dhcp6("")).IpReservationsUnique);
        LoadFails(Dhcp6("\"ip-reservations-unique\": \"no\""), "Dhcp6/ip-reservations-unique", "");
    }

    [Fact]
    public void ReservationsLookupFirstIsFixedWhenThreadsRun()
    {
        AssertWarning(LoadWithoutErrors("\"reservations-lookup-first\": true"), "Dhcp6/reservations-lookup-first", "always looked up first");
        Assert.Empty(LoadWithoutErrors("\"reservations-lookup-first\": true, \"multi-threading\": { \"enable-multi-threading\": false }").Warnings);
    }

    [Fact]
    public void EarlyGlobalReservationsLookupIsAppliedWithoutWarning()
    {
        AssertNoWarningAt(LoadWithoutErrors("\"early-global-reservations-lookup\": false"), "Dhcp6/early-global-reservations-lookup");
        AssertNoWarningAt(LoadWithoutErrors("\"early-global-reservations-lookup\": true"), "Dhcp6/early-global-reservations-lookup");
        Assert.True(LoadOk(Dhcp6("\"early-global-reservations-lookup\": true")).EarlyGlobalReservationsLookup);
        Assert.False(LoadOk(Dhcp6("")).EarlyGlobalReservationsLookup);
    }

    [Fact]
    public void StatisticSampleLimitsAreRead()
    {
        var result = LoadWithoutErrors("\"statistic-default-sample-count\": 5, \"statistic-default-sample-age\": 60");
        Assert.Equal(5u, result.Config!.StatisticDefaultSampleCount);
        Assert.Equal(60u, result.Config.StatisticDefaultSampleAge);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void DataDirectoryHoldsTheDefaultLeaseFile()
    {
        var result = LoadWithoutErrors("\"data-directory\": \"/var/lib/kea-old\"");
        Assert.Equal("/var/lib/kea-old/kea-leases6.csv", result.Config!.LeaseDatabase.FilePath);
        AssertWarning(result, "Dhcp6/data-directory", "deprecated");

        var named = LoadWithoutErrors("\"data-directory\": \"/var/lib/kea-old\", \"lease-database\": { \"type\": \"memfile\", \"name\": \"/srv/kea-data/l.csv\" }");
        Assert.Equal("/srv/kea-data/l.csv", named.Config!.LeaseDatabase.FilePath);
    }

    [Fact]
    public void Dhcp4o6PortWarnsWhenSet()
    {
        AssertNoWarningAt(LoadWithoutErrors("\"dhcp4o6-port\": 0"), "Dhcp6/dhcp4o6-port");
        AssertWarning(LoadWithoutErrors("\"dhcp4o6-port\": 6767"), "Dhcp6/dhcp4o6-port", "DHCPv6 only");
        LoadFails(Dhcp6("\"dhcp4o6-port\": 70000"), "Dhcp6/dhcp4o6-port", "out of range");
    }

    [Fact]
    public void AllowAddressRegistrationTrueIsWarned()
    {
        AssertNoWarningAt(LoadWithoutErrors("\"allow-address-registration\": false"), "Dhcp6/allow-address-registration");
        AssertWarning(LoadWithoutErrors("\"allow-address-registration\": true"), "Dhcp6/allow-address-registration", "RFC 9686");
    }

    [Fact]
    public void ConfigControlNamesTheUnsupportedBackend() =>
        AssertWarning(LoadWithoutErrors("\"config-control\": { \"config-databases\": [ { \"type\": \"mysql\", \"name\": \"kea\" } ] }"), "Dhcp6/config-control", "configuration backend");

    [Fact]
    public void StoreExtendedInfoIsOffByDefault() => Assert.False(LoadOk(Dhcp6("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\" } ]")).Subnets[0].StoreExtendedInfo);

    [Theory]
    [InlineData("\"store-extended-info\": true")]
    [InlineData("\"store-extended-info\": false")]
    public void StoreExtendedInfoIsSilent(string body) => Assert.Empty(LoadWithoutErrors(body).Warnings);

    [Fact]
    public void StoreExtendedInfoIsInheritedGlobalToNetworkToSubnet()
    {
        // Global on; the network turns it off for its subnets except one that turns it back on; a plain subnet inherits global.
        var subnets = LoadWithoutErrors("""
            "store-extended-info": true,
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:2::/64", "store-extended-info": false } ],
            "shared-networks": [ { "name": "n", "store-extended-info": false, "subnet6": [
                { "id": 3, "subnet": "2001:db8:3::/64" }, { "id": 4, "subnet": "2001:db8:4::/64", "store-extended-info": true } ] },
              { "name": "m", "subnet6": [ { "id": 5, "subnet": "2001:db8:5::/64" } ] } ]
            """).Config!.Subnets.ToDictionary(s => s.Id, s => s.StoreExtendedInfo);
        Assert.Equal(new Dictionary<uint, bool> { [1] = true, [2] = false, [3] = false, [4] = true, [5] = true }, subnets);
    }

    [Fact]
    public void StoreExtendedInfoMustBeABoolean() =>
        LoadFails(Dhcp6("\"shared-networks\": [ { \"name\": \"n\", \"store-extended-info\": \"yes\" } ]"), "Dhcp6/shared-networks[0]/store-extended-info", "");

    [Theory]
    [InlineData("\"adaptive-lease-time-threshold\": 0.8")]
    [InlineData("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"adaptive-lease-time-threshold\": 1 } ]")]
    [InlineData("\"shared-networks\": [ { \"name\": \"n\", \"adaptive-lease-time-threshold\": 0.5 } ]")]
    public void AdaptiveLeaseTimeThresholdIsAccepted(string body) => Assert.Empty(LoadWithoutErrors(body).Warnings);

    [Fact]
    public void AdaptiveLeaseTimeThresholdOutOfRangeIsRejected() =>
        LoadFails(Dhcp6("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"adaptive-lease-time-threshold\": 1.5 } ]"), "Dhcp6/subnet6[0]/adaptive-lease-time-threshold", "greater than 0.0");
}
