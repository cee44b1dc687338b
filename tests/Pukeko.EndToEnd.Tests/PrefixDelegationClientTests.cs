using System.Text.RegularExpressions;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Real clients asking for delegated prefixes (IA_PD): ISC dhclient -6 -P and dhcpcd.</summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class PrefixDelegationClientTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-pd-").FullName;

    [Fact]
    public void DhclientObtainsADelegatedPrefixAndTheCsvHasAPdRow()
    {
        using var server = ServerProcess.Start(_lab, Configs.WithPrefixes());
        using var client = new Dhclient(_lab, _clientDir);

        var (code, output) = client.Obtain("-P");

        Assert.True(code == 0, output + server.Output);
        var prefix = IaPrefix().Match(File.ReadAllText(client.LeaseFile));
        Assert.True(prefix.Success, File.ReadAllText(client.LeaseFile));
        Assert.Equal("2001:db8:8::/64", prefix.Groups[1].Value);
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == "2001:db8:8::");
        Assert.Equal(("2", "64", "0", "3"), (row["lease_type"], row["prefix_len"], row["state"], row["pool_id"]));
        Assert.Equal("4000", row["valid_lifetime"]);
    }

    [Fact]
    public void DhcpcdObtainsADelegatedPrefixAndTheCsvHasAPdRow()
    {
        using var server = ServerProcess.Start(_lab, Configs.WithPrefixes());
        var config = Path.Combine(_clientDir, "dhcpcd.conf");
        File.WriteAllText(config, "noipv6rs\nipv6only\nia_pd 1\n");

        var (code, output) = Run.Command("timeout", "60", "ip", "netns", "exec", _lab.ClientNamespace, "dhcpcd", "-f", config, "-6", "-1", "-T", _lab.ClientInterface);

        Assert.True(code == 0, output + server.Output);
        Assert.Contains("new_dhcp6_ia_pd1_prefix1='2001:db8:8::'", output, StringComparison.Ordinal);
        Assert.Contains("new_dhcp6_ia_pd1_prefix1_length='64'", output, StringComparison.Ordinal);
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == "2001:db8:8::");
        Assert.Equal(("2", "64", "0"), (row["lease_type"], row["prefix_len"], row["state"]));
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }

    [GeneratedRegex(@"iaprefix\s+([0-9a-fA-F:]+/\d+)\s*\{")]
    private static partial Regex IaPrefix();
}
