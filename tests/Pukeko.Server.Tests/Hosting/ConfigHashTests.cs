using Pukeko.Server.Hosting;
using Pukeko.Server.Tests.Configuration;

namespace Pukeko.Server.Tests.Hosting;

public sealed class ConfigHashTests
{
    // Found by fuzz/Pukeko.Fuzz (target "config"): the loader accepts a trailing comma, but the hash taken when a
    // configuration is applied re-read its text without that allowance and threw, after the new runtime was in place.
    [Fact]
    public void A_configuration_with_trailing_commas_is_hashed_like_the_same_one_without()
    {
        var withCommas = ConfigTest.LoadOk("""{ "Dhcp6": { "valid-lifetime": 4000, "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", }, ], }, }""");
        var without = ConfigTest.LoadOk("""{ "Dhcp6": { "valid-lifetime": 4000, "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ] } }""");

        Assert.Equal(Dhcp6Server.ComputeHash(without), Dhcp6Server.ComputeHash(withCommas));
    }
}
