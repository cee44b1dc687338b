using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Kea's flexible identifier and run script libraries, built in, with ISC dhclient -6 across a veth pair: the
/// configuration names the Kea libraries as a Kea deployment would.
/// </summary>
[Collection(EndToEndCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuiltInLibraryClientTests : IDisposable
{
    // DUID-LL (type 3), hardware type 1, MAC 02:00:00:00:aa:3f, in dhclient's lease file notation.
    private static readonly byte[] ClientMac = [0x02, 0, 0, 0, 0xaa, 0x3f];

    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-e2e-").FullName;

    /// <summary>
    /// The flex-id is the MAC inside the client's DUID; the reservation for it gives an out-of-pool address, the
    /// lease is stored under the synthesized DUID, and the run script sees the committed lease.
    /// </summary>
    private static string Config() => """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "host-reservation-identifiers": [ "duid", "flex-id" ],
            "hooks-libraries": [
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
                "parameters": { "identifier-expression": "substring(option[1].hex,4,6)", "replace-client-id": true } },
              { "library": "libdhcp_run_script.so", "parameters": { "name": "{dir}/hook.sh", "sync": false } }
            ],
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
              "reservations": [ { "flex-id": "02:00:00:00:aa:3f", "ip-addresses": [ "2001:db8:1::42" ] } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "DEBUG", "debuglevel": 99
            } ]
          }
        }
        """;

    [Fact]
    public void DhclientGetsTheFlexIdReservationUnderTheFlexIdDuidAndTheScriptSeesTheLease()
    {
        var script = Path.Combine(_serverDir, "hook.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            env > "{{_serverDir}}/run.$1.$$.tmp" && mv "{{_serverDir}}/run.$1.$$.tmp" "{{_serverDir}}/run.$1.$$"

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var server = ServerProcess.Start(_lab, Config(), _serverDir);
        using var client = new Dhclient(_lab, _clientDir);
        client.UseDuidLl(ClientMac);

        // dhclient accepts only a reply carrying its own client-id: the flex-id DUID was swapped back.
        var (code, output) = client.Obtain();

        Assert.True(code == 0, output + server.Output);
        Assert.Equal("2001:db8:1::42", client.Addresses().Last());
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == "2001:db8:1::42");
        Assert.Equal("00:00:02:00:00:00:aa:3f", row["duid"]);
        Assert.Contains("FLEX_ID_USED_AS_DUID", File.ReadAllText(server.LogFile), StringComparison.Ordinal);

        string? committed = null;
        Assert.True(
            Run.WaitFor(() => (committed = Directory.GetFiles(_serverDir, "run.leases6_committed.*").FirstOrDefault(f => !f.EndsWith(".tmp", StringComparison.Ordinal))) is not null, TimeSpan.FromSeconds(10)),
            server.Output);
        var variables = File.ReadAllLines(committed!);
        Assert.Contains("QUERY6_TYPE=REQUEST", variables);
        Assert.Contains("LEASES6_SIZE=1", variables);
        Assert.Contains("LEASES6_AT0_ADDRESS=2001:db8:1::42", variables);
        Assert.Contains("LEASES6_AT0_DUID=00:00:02:00:00:00:aa:3f", variables);
        Assert.Contains($"QUERY6_IFACE_NAME={_lab.ServerInterface}", variables);
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
        Directory.Delete(_serverDir, recursive: true);
    }
}
