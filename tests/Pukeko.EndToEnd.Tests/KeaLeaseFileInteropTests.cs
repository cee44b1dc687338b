using System.Globalization;
using System.Text.RegularExpressions;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Real Kea 2.2 (<c>kea-dhcp6</c>) and <c>pukeko-dhcp6</c> taking turns on one lease file, one
/// server-id file and one config file, with ISC dhclient as the client: a Kea installation can
/// be replaced by Pukeko (and, as far as Kea 2.2 allows, put back) without losing a lease or
/// changing the server DUID clients know.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class KeaLeaseFileInteropTests : IDisposable
{
    /// <summary>Kea 2.2 writes memfile schema 4.0: Kea 2.4's header without <c>pool_id</c>.</summary>
    private const string Kea22Header = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source";

    /// <summary>Columns that describe the exchange rather than the client, so both servers must write them alike.</summary>
    private static readonly string[] ExchangeColumns = ["valid_lifetime", "subnet_id", "pref_lifetime", "lease_type", "iaid", "prefix_len", "fqdn_fwd", "fqdn_rev", "hostname", "state", "user_context", "hwtype", "hwaddr_source"];

    private readonly NetworkLab _lab = new();
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-interop-").FullName;
    private readonly string _clientsDir = Directory.CreateTempSubdirectory("pukeko-interop-clients-").FullName;

    [Fact]
    public void Kea22LeaseFileIsLoadedUpgradedAndServedWithKeasServerId()
    {
        var leases = new LeaseFileSet(Path.Combine(_serverDir, "kea-leases6.csv"));
        using var keeper = new Dhclient(_lab, ClientDirectory("keeper"));
        using var leaver = ClientWithDuidLl("leaver", [0x02, 0, 0, 0, 0xaa, 0x3f]);
        string keeperAddress, leaverAddress, keaServerId;

        // 1. Kea 2.2 serves two clients; one releases, so Kea's file holds a valid_lifetime-0 row.
        using (var kea = KeaProcess.Start(_lab, InteropConfigs.Shared(), _serverDir))
        {
            keeperAddress = keeper.ObtainAddress(kea.Output);
            keeper.Stop();
            leaverAddress = leaver.ObtainAddress(kea.Output);
            var (code, output) = leaver.Release();
            Assert.True(code == 0, output + kea.Output);
            Assert.True(Run.WaitFor(() => leases.RawRows().Any(r => r.StartsWith(leaverAddress + ",", StringComparison.Ordinal) && r.Split(',')[2] == "0"), TimeSpan.FromSeconds(10)), kea.Output);
            Assert.True(kea.Stop(TimeSpan.FromSeconds(10)), "kea-dhcp6 did not stop on SIGTERM");
        }

        // What Kea 2.2 left behind: its 17-column file, three rows, and its DUID file.
        Assert.Equal(Kea22Header, File.ReadLines(leases.LeaseFile).First());
        var keaRows = File.ReadAllLines(leases.LeaseFile).Skip(1).ToArray();
        Assert.Equal(3, keaRows.Length);
        Assert.All(keaRows, r => Assert.Equal(17, r.Split(',').Length));
        var keaLeaverRow = LeaseCsv.Rows(File.ReadAllLines(leases.LeaseFile)).First(r => r["address"] == leaverAddress);
        keaServerId = File.ReadAllText(Path.Combine(_serverDir, "kea-dhcp6-serverid")).Trim();
        Assert.Equal(keaServerId, ServerIdIn(keeper));

        // 2. Pukeko on the same directory and the very same config file.
        using var pukeko = ServerProcess.Start(_lab, InteropConfigs.Shared(), _serverDir);

        // The file was upgraded to the 18-column header: every file Pukeko loads from now on
        // (the converted one and the new current one) has it, and Kea's live row survived
        // byte for byte with pool_id 0 appended.
        Assert.All(leases.Headers(), h => Assert.Equal(LeaseCsv.Header, h.Value));
        var keeperKeaRow = keaRows.Single(r => r.StartsWith(keeperAddress + ",", StringComparison.Ordinal));
        Assert.Contains(keeperKeaRow + ",0", leases.RawRows());

        // A new client must not get the keeper's address (the lease was loaded), and gets the
        // released one: the iterative allocator starts again at the pool's first address and the
        // first free one is the leaver's only if the valid_lifetime-0 row was honoured as a delete.
        using var newcomer = ClientWithDuidLl("newcomer", [0x02, 0, 0, 0, 0xbb, 0x01]);
        var newcomerAddress = newcomer.ObtainAddress(pukeko.Output);
        Assert.NotEqual(keeperAddress, newcomerAddress);
        Assert.Equal(leaverAddress, newcomerAddress);
        Assert.Equal(keaServerId, ServerIdIn(newcomer));

        // The same client (same DUID and IAID, no remembered lease so it sends a Solicit rather
        // than a Confirm) gets its Kea address back, from a server with Kea's DUID.
        keeper.ForgetLease();
        Assert.Equal(keeperAddress, keeper.ObtainAddress(pukeko.Output));
        Assert.Equal(keaServerId, ServerIdIn(keeper));
        Assert.Equal(keaServerId, File.ReadAllText(Path.Combine(_serverDir, "kea-dhcp6-serverid")).Trim());

        // Pukeko's row for a DUID-LL client matches Kea's row for the same kind of exchange
        // column for column (hwaddr is each client's MAC, taken from its DUID-LL by both).
        var pukekoNewcomerRow = LeaseCsv.Rows(File.ReadAllLines(leases.LeaseFile)).Last(r => r["address"] == newcomerAddress);
        Assert.Equal(ExchangeColumns.Select(c => keaLeaverRow[c]), ExchangeColumns.Select(c => pukekoNewcomerRow[c]));
        Assert.Equal("02:00:00:00:aa:3f", keaLeaverRow["hwaddr"]);
        Assert.Equal("02:00:00:00:bb:01", pukekoNewcomerRow["hwaddr"]);
        Assert.Equal("0", pukekoNewcomerRow["pool_id"]);
    }

    [Fact]
    public void Kea22ReadsPukekosLeaseFileByDowngradingItToSeventeenColumns()
    {
        var leases = new LeaseFileSet(Path.Combine(_serverDir, "kea-leases6.csv"));
        using var keeper = new Dhclient(_lab, ClientDirectory("keeper"));
        using var leaver = ClientWithDuidLl("leaver", [0x02, 0, 0, 0, 0xaa, 0x3f]);
        string keeperAddress, leaverAddress;

        // 1. Pukeko writes an 18-column file: a lease, and a lease then its release.
        using (var pukeko = ServerProcess.Start(_lab, InteropConfigs.Shared(), _serverDir))
        {
            keeperAddress = keeper.ObtainAddress(pukeko.Output);
            keeper.Stop();
            leaverAddress = leaver.ObtainAddress(pukeko.Output);
            var (code, output) = leaver.Release();
            Assert.True(code == 0, output + pukeko.Output);
            Assert.True(Run.WaitFor(() => leases.RawRows().Any(r => r.StartsWith(leaverAddress + ",", StringComparison.Ordinal) && r.Split(',')[2] == "0"), TimeSpan.FromSeconds(10)), pukeko.Output);
            Assert.True(pukeko.Stop(TimeSpan.FromSeconds(5)), "pukeko-dhcp6 did not stop on SIGTERM");
        }

        Assert.Equal(LeaseCsv.Header, File.ReadLines(leases.LeaseFile).First());
        var keeperPukekoRow = leases.RawRows().Last(r => r.StartsWith(keeperAddress + ",", StringComparison.Ordinal));
        Assert.EndsWith(",0", keeperPukekoRow, StringComparison.Ordinal);

        // 2. Kea 2.2 on the same files. It does not refuse the newer schema: it logs that the
        // file needs downgrading, loads it (the extra pool_id column dropped) and runs kea-lfc at
        // once, which rewrites the leases as 17-column rows in .2 and starts a new 17-column file.
        using var kea = KeaProcess.Start(_lab, InteropConfigs.Shared(), _serverDir);
        Assert.Contains("DHCPSRV_MEMFILE_NEEDS_DOWNGRADING", kea.Output, StringComparison.Ordinal);
        Assert.Contains("DHCPSRV_MEMFILE_CONVERTING_LEASE_FILES", kea.Output, StringComparison.Ordinal);
        Assert.True(
            Run.WaitFor(() => File.Exists(leases.LeaseFile + ".2") && !File.Exists(leases.LeaseFile + ".1") && leases.Headers().Values.All(h => h == Kea22Header), TimeSpan.FromSeconds(15)),
            string.Join('\n', leases.Headers().Select(h => $"{h.Key}: {h.Value}")) + kea.Output);
        Assert.Contains(keeperPukekoRow[..keeperPukekoRow.LastIndexOf(',')], leases.RawRows());
        Assert.DoesNotContain(leases.RawRows(), r => r.StartsWith(leaverAddress + ",", StringComparison.Ordinal));

        // Kea knows Pukeko's lease (a new client gets another address) and Pukeko's release.
        using var newcomer = ClientWithDuidLl("newcomer", [0x02, 0, 0, 0, 0xbb, 0x01]);
        var newcomerAddress = newcomer.ObtainAddress(kea.Output);
        Assert.NotEqual(keeperAddress, newcomerAddress);
        Assert.Equal(leaverAddress, newcomerAddress);

        keeper.ForgetLease();
        Assert.Equal(keeperAddress, keeper.ObtainAddress(kea.Output));
    }

    [Fact]
    public void Kea22KeepsTheServerDuidPukekoStored()
    {
        var serverIdFile = Path.Combine(_serverDir, "kea-dhcp6-serverid");
        using (var pukeko = ServerProcess.Start(_lab, InteropConfigs.Shared(), _serverDir))
        {
            Assert.True(pukeko.Stop(TimeSpan.FromSeconds(5)), "pukeko-dhcp6 did not stop on SIGTERM");
        }

        var stored = File.ReadAllText(serverIdFile);

        // Kea 2.2 parses the whole file as the DUID text: anything it cannot parse (a trailing
        // newline included) makes it log nothing, generate a fresh DUID-LLT and overwrite the
        // file, and every client then sees a different server.
        using var kea = KeaProcess.Start(_lab, InteropConfigs.Shared(), _serverDir);
        Assert.Contains("server-id " + stored.Trim() + " ", kea.Output, StringComparison.Ordinal);
        Assert.Equal(stored, File.ReadAllText(serverIdFile));

        using var client = new Dhclient(_lab, ClientDirectory("client"));
        client.ObtainAddress(kea.Output);
        Assert.Equal(stored.Trim(), ServerIdIn(client));
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_serverDir, recursive: true);
        Directory.Delete(_clientsDir, recursive: true);
    }

    private string ClientDirectory(string name) => Directory.CreateDirectory(Path.Combine(_clientsDir, name)).FullName;

    /// <summary>A dhclient whose lease file pins a DUID-LL (type 3, hardware type 1) built from <paramref name="mac"/>.</summary>
    private Dhclient ClientWithDuidLl(string name, byte[] mac)
    {
        var client = new Dhclient(_lab, ClientDirectory(name));
        client.UseDuidLl(mac);
        return client;
    }

    /// <summary>The server DUID in the client's newest lease, as Kea writes DUIDs (two hex digits a byte).</summary>
    private static string ServerIdIn(Dhclient client)
    {
        var match = ServerIdOption().Matches(File.ReadAllText(client.LeaseFile)).LastOrDefault();
        Assert.True(match is not null, File.ReadAllText(client.LeaseFile));
        var bytes = match.Groups[1].Value.Split(':').Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        return string.Join(':', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"option dhcp6\.server-id ([0-9a-fA-F:]+);")]
    private static partial Regex ServerIdOption();
}
