using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Dynamic DNS with real parts: dhclient -6 sends a name, Pukeko sends name-change requests to Debian's kea-dhcp-ddns
/// (Kea 2.2), which updates BIND 9; dig sees the records come and go.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DdnsTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _dnsDir = Directory.CreateTempSubdirectory("pukeko-dns-").FullName;
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-e2e-").FullName;
    private readonly List<string> _clientDirs = [];

    private static readonly TimeSpan DnsWait = TimeSpan.FromSeconds(20);

    private static string DdnsConfig(string timers = "\"renew-timer\": 1000, \"rebind-timer\": 2000, \"preferred-lifetime\": 3000, \"valid-lifetime\": 4000", string extra = "") =>
        Configs.Basic(timers, $$"""
            "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001 },
            "ddns-qualifying-suffix": "example.com.",
            {{extra}}
            """);

    /// <summary>A dhclient that asks for <paramref name="name"/> in example.com and for the server to do the updates.</summary>
    private Dhclient Client(string name, byte[]? mac = null)
    {
        var dir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
        _clientDirs.Add(dir);
        File.WriteAllText(Path.Combine(dir, "dhclient.conf"), $"send fqdn.fqdn \"{name}.example.com.\";\nsend fqdn.server-update on;\n");
        var client = new Dhclient(_lab, dir);
        if (mac is not null)
        {
            client.UseDuidLl(mac);
        }

        return client;
    }

    private static (int, string) Obtain(Dhclient client) =>
        client.Obtain("-cf", Path.Combine(Path.GetDirectoryName(client.LeaseFile)!, "dhclient.conf"));

    [Fact]
    public void ClientNameAppearsInDnsAndTheReleaseRemovesIt()
    {
        using var dns = DnsLab.Start(_lab, _dnsDir);
        using var server = ServerProcess.Start(_lab, DdnsConfig(), _serverDir);
        using var client = Client("laptop");

        var (code, output) = Obtain(client);
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Last();
        var reverse = DnsLab.ReverseName(address);

        Assert.True(Run.WaitFor(() => dns.Dig("laptop.example.com", "AAAA") == address, DnsWait), dns.Dig("laptop.example.com", "AAAA") + "\n" + dns.D2LogSince(0) + server.Output);
        Assert.Equal("laptop.example.com.", dns.Dig(reverse, "PTR"));
        Assert.NotEmpty(dns.Dig("laptop.example.com", "DHCID"));
        Assert.NotEmpty(dns.Dig(reverse, "DHCID"));

        // The record's TTL is the NCR's lease-length: a third of the 4000 s lifetime.
        Assert.Equal(1333, dns.Ttl("laptop.example.com", "AAAA"));
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == address);
        Assert.Equal(("1", "1", "laptop.example.com."), (row["fqdn_fwd"], row["fqdn_rev"], row["hostname"]));

        var (releaseCode, releaseOutput) = client.Release();
        Assert.True(releaseCode == 0, releaseOutput);
        Assert.True(Run.WaitFor(() => dns.Dig("laptop.example.com", "AAAA").Length == 0 && dns.Dig(reverse, "PTR").Length == 0, DnsWait), dns.D2LogSince(0));
        Assert.Empty(dns.Dig("laptop.example.com", "DHCID"));
        Assert.Contains("DHCP_DDNS_REMOVE_SUCCEEDED", dns.D2LogSince(0), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredLeaseIsRemovedFromDnsByReclamation()
    {
        using var dns = DnsLab.Start(_lab, _dnsDir);
        using var server = ServerProcess.Start(_lab, DdnsConfig(
            "\"renew-timer\": 100, \"rebind-timer\": 200, \"preferred-lifetime\": 4, \"valid-lifetime\": 6",
            "\"expired-leases-processing\": { \"reclaim-timer-wait-time\": 1, \"hold-reclaimed-time\": 60 },"), _serverDir);
        using var client = Client("tablet");
        var (code, output) = Obtain(client);
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Last();
        Assert.True(Run.WaitFor(() => dns.Dig("tablet.example.com", "AAAA") == address, DnsWait), dns.D2LogSince(0) + server.Output);

        // The client goes away without a word; the lease expires and reclamation sends the REMOVE.
        client.Stop();
        Assert.True(Run.WaitFor(() => dns.Dig("tablet.example.com", "AAAA").Length == 0, TimeSpan.FromSeconds(30)), dns.D2LogSince(0) + server.Output);
        Assert.Empty(dns.Dig(DnsLab.ReverseName(address), "PTR"));
    }

    [Theory]
    [InlineData("check-with-dhcid")]
    [InlineData("no-check-with-dhcid")]
    public void SecondClientClaimingTheSameNameMeetsTheConfiguredConflictResolution(string mode)
    {
        using var dns = DnsLab.Start(_lab, _dnsDir);
        using var server = ServerProcess.Start(_lab, DdnsConfig(extra: $"\"ddns-conflict-resolution-mode\": \"{mode}\","), _serverDir);
        using var first = Client("shared");
        var (code, output) = Obtain(first);
        Assert.True(code == 0, output + server.Output);
        var firstAddress = first.Addresses().Last();
        Assert.True(Run.WaitFor(() => dns.Dig("shared.example.com", "AAAA") == firstAddress, DnsWait), dns.D2LogSince(0));
        first.Stop();

        using var second = Client("shared", mac: [0x02, 0, 0, 0, 0xaa, 0x3f]);
        var (code2, output2) = Obtain(second);
        Assert.True(code2 == 0, output2 + server.Output);
        var secondAddress = second.Addresses().Last();
        Assert.NotEqual(firstAddress, secondAddress);

        if (mode == "check-with-dhcid")
        {
            // The name carries the first client's DHCID, so kea-dhcp-ddns does not replace it (RFC 4703).
            Assert.True(Run.WaitFor(() => dns.D2LogSince(0).Contains("DHCP_DDNS_FORWARD_ADD_REJECTED", StringComparison.Ordinal)
                || dns.D2LogSince(0).Contains("DHCP_DDNS_FORWARD_REPLACE_REJECTED", StringComparison.Ordinal), DnsWait), dns.D2LogSince(0));
            Assert.Equal(firstAddress, dns.Dig("shared.example.com", "AAAA"));
        }
        else
        {
            // Without the check the second client's address overwrites the first (use-conflict-resolution false for 2.2).
            Assert.True(Run.WaitFor(() => dns.Dig("shared.example.com", "AAAA") == secondAddress, DnsWait), dns.D2LogSince(0));
        }
    }

    [Fact]
    public void DhcpGoesOnWhileKeaDhcpDdnsIsDownAndHeldRequestsAreSentWhenItIsBack()
    {
        using var dns = DnsLab.Start(_lab, _dnsDir);
        using var server = ServerProcess.Start(_lab, DdnsConfig(), _serverDir);
        dns.StopD2Process();

        // DHCP is unaffected; the request for the name is held, not lost.
        using var first = Client("offline");
        var (code, output) = Obtain(first);
        Assert.True(code == 0, output + server.Output);
        var offlineAddress = first.Addresses().Last();
        first.Stop();
        Assert.True(Run.WaitFor(() => server.Output.Contains("DHCP6_DDNS_DAEMON_UNREACHABLE", StringComparison.Ordinal), DnsWait), server.Output);
        Assert.Empty(dns.Dig("offline.example.com", "AAAA"));

        dns.StartD2Process();
        Assert.True(Run.WaitFor(() => dns.Dig("offline.example.com", "AAAA") == offlineAddress, DnsWait), dns.D2LogSince(0) + server.Output);
        // Logged once the probe drew no error, which may be just after the daemon already handled it.
        Assert.True(Run.WaitFor(() => server.Output.Contains("DHCP6_DDNS_DAEMON_REACHABLE", StringComparison.Ordinal), DnsWait), server.Output);

        using var second = Client("online", mac: [0x02, 0, 0, 0, 0xaa, 0x3f]);
        var (code2, output2) = Obtain(second);
        Assert.True(code2 == 0, output2 + server.Output);
        var address = second.Addresses().Last();
        Assert.True(Run.WaitFor(() => dns.Dig("online.example.com", "AAAA") == address, DnsWait), dns.D2LogSince(0) + server.Output);
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_dnsDir, recursive: true);
        Directory.Delete(_serverDir, recursive: true);
        foreach (var dir in _clientDirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
