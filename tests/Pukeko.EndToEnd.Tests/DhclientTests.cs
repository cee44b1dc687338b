using System.Globalization;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>ISC dhclient -6 against the real server across a veth pair.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DhclientTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
    private readonly List<string> _otherClientDirs = [];

    [Fact]
    public void DhclientObtainsAddressAndLeaseIsWrittenToCsv()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        using var client = new Dhclient(_lab, _clientDir);

        var (code, output) = client.Obtain();

        Assert.True(code == 0, output + server.Output);
        var address = Assert.Single(client.Addresses());
        Assert.StartsWith("2001:db8:1::1", address, StringComparison.Ordinal);
        var lines = server.LeaseRows();
        Assert.Equal(LeaseCsv.Header, lines[0]);
        var row = Assert.Single(LeaseCsv.Rows(lines), r => r["address"] == address);
        Assert.Equal("4000", row["valid_lifetime"]);
        Assert.Equal("3000", row["pref_lifetime"]);
        Assert.Equal("1", row["subnet_id"]);
        Assert.Equal("0", row["lease_type"]);
        Assert.Equal("128", row["prefix_len"]);
        Assert.Equal("0", row["state"]);
        Assert.Equal("02:00:00:00:aa:02", row["hwaddr"]);
        var expire = long.Parse(row["expire"], CultureInfo.InvariantCulture);
        Assert.InRange(expire - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3900, 4001);
        Assert.Contains("dhcp6.name-servers 2001:db8:1::53", File.ReadAllText(client.LeaseFile), StringComparison.Ordinal);
    }

    [Fact]
    public void DhclientRenewsAndTheRenewalIsAppended()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic("\"renew-timer\": 2, \"rebind-timer\": 3, \"preferred-lifetime\": 4, \"valid-lifetime\": 6"));
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Last();

        // dhclient keeps running in the background and renews after T1 = 2 s.
        var renewed = Run.WaitFor(() => LeaseCsv.Rows(server.LeaseRows()).Count(r => r["address"] == address && r["valid_lifetime"] == "6") >= 2, TimeSpan.FromSeconds(20));

        Assert.True(renewed, server.Output);
        Assert.True(Run.WaitFor(() => File.ReadAllText(server.LogFile).Contains("DHCP6_LEASE_RENEW", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), server.Output);
    }

    [Fact]
    public void DhclientReleasesAndTheReleaseIsWritten()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Last();

        var (releaseCode, releaseOutput) = client.Release();

        Assert.True(releaseCode == 0, releaseOutput);
        Assert.True(Run.WaitFor(() => LeaseCsv.Rows(server.LeaseRows()).Any(r => r["address"] == address && r["valid_lifetime"] == "0"), TimeSpan.FromSeconds(10)), server.Output);
        Assert.True(Run.WaitFor(() => File.ReadAllText(server.LogFile).Contains("DHCP6_RELEASE_NA", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), server.Output);
    }

    [Fact]
    public void RestartKeepsLeases()
    {
        var serverDir = ServerProcess.CreateDirectory();
        string first;
        using (var server = ServerProcess.Start(_lab, Configs.Basic(), serverDir))
        using (var client = new Dhclient(_lab, _clientDir))
        {
            var (code, output) = client.Obtain();
            Assert.True(code == 0, output + server.Output);
            first = client.Addresses().Last();
            client.Stop();
            Assert.True(server.Stop(TimeSpan.FromSeconds(5)));
        }

        using var restarted = ServerProcess.Start(_lab, Configs.Basic(), serverDir);

        // The same client (same DUID in its lease file) gets its address back...
        using var again = new Dhclient(_lab, _clientDir);
        var (code2, output2) = again.Obtain();
        Assert.True(code2 == 0, output2 + restarted.Output);
        Assert.Equal(first, again.Addresses().Last());
        again.Stop();

        // ...and a new client does not get it, because the restarted server still knows the lease.
        var otherDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
        _otherClientDirs.Add(otherDir);
        using var other = new Dhclient(_lab, otherDir);
        other.UseDuidLl([0x02, 0, 0, 0, 0xaa, 0x3f]);
        var (code3, output3) = other.Obtain();
        Assert.True(code3 == 0, output3 + restarted.Output);
        Assert.NotEqual(first, other.Addresses().Last());
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
        foreach (var dir in _otherClientDirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
