using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Host reservations and class-selected pools with real ISC dhclient -6 clients.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ClassesAndReservationsTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly List<string> _clientDirs = [];

    private string ClientDir()
    {
        var dir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
        _clientDirs.Add(dir);
        return dir;
    }

    [Fact]
    public void HardwareAddressReservationGivesTheReservedAddressAndOptions()
    {
        // dhclient's DUID-LLT carries the client interface's MAC, 02:00:00:00:aa:02.
        var config = Configs.Basic(extra: """
            "reservations-global": false,
            """).Replace("\"pools\": [ { \"pool\": \"2001:db8:1::100-2001:db8:1::1ff\" } ]", """
            "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
            "reservations": [ { "hw-address": "02:00:00:00:aa:02", "ip-addresses": [ "2001:db8:1::abcd" ], "hostname": "reserved-host",
                                "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::99" } ] } ]
            """, StringComparison.Ordinal);
        using var server = ServerProcess.Start(_lab, config);
        using var client = new Dhclient(_lab, ClientDir());

        var (code, output) = client.Obtain();

        Assert.True(code == 0, output + server.Output);
        Assert.Equal("2001:db8:1::abcd", client.Addresses().Last());
        Assert.Contains("dhcp6.name-servers 2001:db8:1::99", File.ReadAllText(client.LeaseFile), StringComparison.Ordinal);
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == "2001:db8:1::abcd");
        Assert.Equal("reserved-host", row["hostname"]);
    }

    [Fact]
    public void ClassSelectedPoolIsHonoured()
    {
        // Clients whose DUID is a DUID-LLT (type 1) are in class "llt" and get the class pool; a DUID-LL client does not.
        var config = Configs.Basic(extra: """
            "client-classes": [ { "name": "llt", "test": "substring(option[1].hex, 0, 2) == 0x0001" } ],
            """).Replace("\"pools\": [ { \"pool\": \"2001:db8:1::100-2001:db8:1::1ff\" } ]", """
            "pools": [ { "pool": "2001:db8:1::200-2001:db8:1::2ff", "client-classes": [ "llt" ] },
                       { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ]
            """, StringComparison.Ordinal);
        using var server = ServerProcess.Start(_lab, config);

        string classAddress;
        using (var llt = new Dhclient(_lab, ClientDir()))
        {
            var (code, output) = llt.Obtain("-D", "LLT");
            Assert.True(code == 0, output + server.Output);
            classAddress = llt.Addresses().Last();
        }

        using var ll = new Dhclient(_lab, ClientDir());
        var (llCode, llOutput) = ll.Obtain("-D", "LL");
        Assert.True(llCode == 0, llOutput + server.Output);

        Assert.StartsWith("2001:db8:1::2", classAddress, StringComparison.Ordinal);
        Assert.StartsWith("2001:db8:1::1", ll.Addresses().Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyGlobalReservationClassChoosesTheClassGuardedSubnet()
    {
        // The lab client's MAC (02:00:00:00:aa:02) has a global reservation assigning class "gold"; the first subnet
        // on the link (subnets are tried in id order) admits only "gold". Looked up before subnet selection
        // (early-global-reservations-lookup), the class chooses that subnet.
        var config = Configs.Basic(extra: """
            "early-global-reservations-lookup": true,
            "client-classes": [ { "name": "gold" } ],
            "reservations": [ { "hw-address": "02:00:00:00:aa:02", "client-classes": [ "gold" ] } ],
            """).Replace("\"id\": 1, \"subnet\"", "\"id\": 2, \"subnet\"", StringComparison.Ordinal).Replace("\"subnet6\": [ {", """
            "subnet6": [ { "id": 1, "subnet": "2001:db8:9::/64", "interface": "{iface}", "client-classes": [ "gold" ],
                           "pools": [ { "pool": "2001:db8:9::100-2001:db8:9::1ff" } ] }, {
            """, StringComparison.Ordinal);
        using var server = ServerProcess.Start(_lab, config);
        using var client = new Dhclient(_lab, ClientDir());

        var (code, output) = client.Obtain();

        Assert.True(code == 0, output + server.Output);
        Assert.StartsWith("2001:db8:9::1", client.Addresses().Last(), StringComparison.Ordinal);
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()));
        Assert.Equal("1", row["subnet_id"]);
    }

    public void Dispose()
    {
        _lab.Dispose();
        foreach (var dir in _clientDirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
