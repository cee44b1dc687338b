using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>dhcpcd (a second, independent client implementation) asking for IA_NA.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DhcpcdTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhcpcd-").FullName;

    [Fact]
    public void DhcpcdObtainsAddressAndOptions()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        var config = Path.Combine(_clientDir, "dhcpcd.conf");
        // Start DHCPv6 at once (no router advertisement in the lab) and ask for one IA_NA.
        File.WriteAllText(config, "noipv6rs\nipv6only\nia_na 1\noption dhcp6_name_servers\n");

        // -T: run one exchange and print the lease instead of configuring the interface.
        var (code, output) = Run.Command("timeout", "60", "ip", "netns", "exec", _lab.ClientNamespace, "dhcpcd", "-f", config, "-6", "-1", "-T", _lab.ClientInterface);

        Assert.True(code == 0, output + server.Output);
        Assert.Contains("new_dhcp6_ia_na1_ia_addr1='2001:db8:1::1", output, StringComparison.Ordinal);
        Assert.Contains("new_dhcp6_ia_na1_ia_addr1_vltime='4000'", output, StringComparison.Ordinal);
        Assert.Contains("new_dhcp6_name_servers='2001:db8:1::53'", output, StringComparison.Ordinal);
        var address = output.Split('\n').First(l => l.StartsWith("new_dhcp6_ia_na1_ia_addr1=", StringComparison.Ordinal)).Split('\'')[1];
        Assert.Contains(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == address && r["state"] == "0");
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
