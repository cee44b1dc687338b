using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

public class Lease6Tests
{
    [Fact]
    public void Expire_is_cltt_plus_valid_lifetime()
    {
        var lease = LeaseSamples.Na("2001:db8::1", cltt: 1000, valid: 200);
        Assert.Equal(1200, lease.Expire);
    }

    [Theory]
    [InlineData(1199, false)]
    [InlineData(1200, false)] // Kea: expired only when cltt + valid < now
    [InlineData(1201, true)]
    public void IsExpired_uses_strict_comparison(long now, bool expected)
    {
        var lease = LeaseSamples.Na("2001:db8::1", cltt: 1000, valid: 200);
        Assert.Equal(expected, lease.IsExpired(now));
    }

    [Fact]
    public void Infinite_lease_never_expires()
    {
        var lease = LeaseSamples.Na("2001:db8::1", cltt: 0, valid: Lease6.InfiniteLifetime);
        Assert.False(lease.IsExpired(long.MaxValue));
    }

    [Fact]
    public void Clone_copies_every_field_and_shares_only_the_byte_arrays()
    {
        var original = LeaseSamples.Full();
        var copy = original.Clone();

        Assert.Equal(LeaseRows.Row(original), LeaseRows.Row(copy));

        // The arrays are never written in place, so a copy shares them; what a copy changes is replaced.
        Assert.Same(original.Duid, copy.Duid);
        Assert.Same(original.HardwareAddress, copy.HardwareAddress);
        copy.Duid = [0xFF];
        copy.HardwareAddress = null;
        copy.Hostname = "changed";
        copy.ValidLifetime = 1;
        Assert.Equal(LeaseRows.Row(LeaseSamples.Full()), LeaseRows.Row(original));
    }

    [Fact]
    public void Decline_parks_the_address_and_forgets_the_client()
    {
        var lease = LeaseSamples.Full();
        lease.Decline(probationPeriod: 86400, now: 1_800_000_000);

        Assert.Null(lease.HardwareAddress);
        Assert.Equal(new byte[] { 0, 0, 0 }, lease.Duid);
        Assert.Equal(0u, lease.PreferredLifetime);
        Assert.Equal(86400u, lease.ValidLifetime);
        Assert.Equal(1_800_000_000, lease.Cltt);
        Assert.Equal(string.Empty, lease.Hostname);
        Assert.False(lease.FqdnForward);
        Assert.False(lease.FqdnReverse);
        Assert.Equal(LeaseState.Declined, lease.State);

        // Identity of the lease itself is kept.
        Assert.Equal("2001:db8:1::cafe", lease.Address.ToString());
        Assert.Equal(42u, lease.SubnetId);
    }

    [Fact]
    public void Declined_lease_row_has_empty_duid_and_no_hwaddr()
    {
        var lease = LeaseSamples.Full();
        lease.UserContext = null;
        lease.Decline(86400, 1_800_000_000);
        Assert.Equal(
            "2001:db8:1::cafe,00:00:00,86400,1800086400,42,0,0,3735928559,128,0,0,,,1,,0,0,7",
            LeaseRows.Row(lease));
    }
}
