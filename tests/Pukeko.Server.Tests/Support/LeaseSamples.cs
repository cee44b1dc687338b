using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>Builders of representative leases.</summary>
internal static class LeaseSamples
{
    public const string Header =
        "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id";

    public const string Kea22Header =
        "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source";

    public static byte[] Duid(byte id) => [0x00, 0x01, 0x00, 0x01, 0x2a, 0x2b, 0x2c, 0x2d, 0x08, 0x00, 0x27, 0x00, 0x00, id];

    public static Lease6 Na(string address, byte client = 1, uint iaid = 1, long cltt = 1_700_000_000, uint valid = 3600) => new()
    {
        Address = Ipv6Address.Parse(address),
        Type = LeaseType.NA,
        PrefixLength = 128,
        Duid = Duid(client),
        Iaid = iaid,
        PreferredLifetime = valid / 2,
        ValidLifetime = valid,
        Cltt = cltt,
        SubnetId = 1,
        Hostname = string.Empty,
    };

    public static Lease6 Pd(string prefix, byte length, byte client = 1, uint iaid = 1, long cltt = 1_700_000_000, uint valid = 7200) => new()
    {
        Address = Ipv6Address.Parse(prefix),
        Type = LeaseType.PD,
        PrefixLength = length,
        Duid = Duid(client),
        Iaid = iaid,
        PreferredLifetime = valid / 2,
        ValidLifetime = valid,
        Cltt = cltt,
        SubnetId = 2,
        PoolId = 3,
        Hostname = string.Empty,
    };

    /// <summary>A lease with every field set to a non-default value.</summary>
    public static Lease6 Full() => new()
    {
        Address = Ipv6Address.Parse("2001:db8:1::cafe"),
        Type = LeaseType.NA,
        PrefixLength = 128,
        Duid = Duid(9),
        Iaid = 0xDEADBEEF,
        PreferredLifetime = 1800,
        ValidLifetime = 3600,
        Cltt = 1_700_000_000,
        SubnetId = 42,
        PoolId = 7,
        FqdnForward = true,
        FqdnReverse = true,
        Hostname = "host,one&two.example.org",
        HardwareAddress = [0x08, 0x00, 0x2b, 0x01, 0x02, 0x03],
        HardwareType = 1,
        HardwareAddressSource = 4,
        State = LeaseState.Default,
        UserContext = "{ \"comment\": \"a, b & c\" }",
    };
}
