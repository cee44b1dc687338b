using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Tests.Live;

/// <summary>
/// <c>pukeko-ctl top</c> on a real terminal (a pseudo-terminal from util-linux <c>script</c>) against a real
/// <c>pukeko-dhcp6</c>: it draws the pools, redraws them when leases change, and quits cleanly.
/// </summary>
public sealed class TopUnderPseudoTerminalTests
{
    private const string Subnets = """
        [ { "id": 1, "subnet": "2001:db8:1::/64",
            "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
            "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 } ] } ]
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Ctl => Path.Combine(AppContext.BaseDirectory, "pukeko-ctl");

    private static PseudoTerminal Top(DaemonProcess server, int columns) => new($"'{Ctl}' -s '{server.Socket}' top --interval 0.3", columns);

    private static async Task AddLeaseAsync(DaemonProcess server, string address, string duid)
    {
        var options = CtlCommandLine.Parse(["-s", server.Socket, "lease6-add", $"ip-address={address}", $"duid={duid}", "iaid=1"], _ => null, TextReader.Null).Options!;
        var answer = JsonNode.Parse(await CommandClient.SendAsync(options, CancellationToken.None))!;
        Assert.Equal(0, answer["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task Draws_the_pools_redraws_them_after_lease6_add_and_quits_on_q()
    {
        using var server = DaemonProcess.Start(Subnets);

        // 80 columns, a terminal's default: the addresses must still fit on their lines.
        using var terminal = Top(server, columns: 80);

        terminal.WaitForLine(@"^pukeko-ctl top  .*/ctrl  every 0\.3 s  \(q to quit\)", Patience);
        terminal.WaitForLine(@"^serving  pid \d+  up 0:00:\d\d  configured 0:00:\d\d ago", Patience);
        terminal.WaitForLine(@"subnet 1 2001:db8:1::/64\s+NA\s+0\s+256\s+░{5,}\s+0\.0%", Patience);
        terminal.WaitForLine(@"^\s+2001:db8:1::100-2001:db8:1::1ff\s+NA\s+0\s+256\s+░{5,}\s+0\.0%", Patience);
        terminal.WaitForLine(@"^\s+2001:db8:8000::/48 \(/56\)\s+PD\s+0\s+256", Patience);
        terminal.WaitForLine(@"received\s+0\s+0\.0\s+dropped\s+0\s+0\.0", Patience);

        var before = terminal.Raw.Length;
        await AddLeaseAsync(server, "2001:db8:1::150", "01:02:03:04");
        await AddLeaseAsync(server, "2001:db8:1::151", "01:02:03:05");

        // 2 of 256 is below one cell of twenty; a pool in use still shows one.
        terminal.WaitForLine(@"^\s+2001:db8:1::100-2001:db8:1::1ff\s+NA\s+2\s+256\s+█░{4,}\s+0\.8%", Patience, before);
        terminal.WaitForLine(@"subnet 1 2001:db8:1::/64\s+NA\s+2\s+256\s+█░{4,}\s+0\.8%", Patience, before);

        terminal.Type("q");
        Assert.Equal(0, terminal.WaitForExit(TimeSpan.FromSeconds(10)));

        // The live display hid the cursor while drawing and showed it again on the way out.
        var raw = terminal.Raw;
        Assert.Contains("\u001b[?25l", raw, StringComparison.Ordinal);
        Assert.True(raw.LastIndexOf("\u001b[?25h", StringComparison.Ordinal) > raw.LastIndexOf("\u001b[?25l", StringComparison.Ordinal), "cursor left hidden");
    }

    [Fact]
    public void A_server_that_goes_away_is_an_error_line_and_ctrl_c_still_quits_cleanly()
    {
        var server = DaemonProcess.Start(Subnets);
        using var terminal = Top(server, columns: 140);
        try
        {
            terminal.WaitForLine(@"subnet 1 2001:db8:1::/64\s+NA\s+0\s+256", Patience);
            var before = terminal.Raw.Length;
            Assert.True(server.Stop(TimeSpan.FromSeconds(10)), "server did not stop");

            terminal.WaitForLine(@"cannot reach .*ctrl: .*\(retrying every 0\.3 s; figures below are from \d\d:\d\d:\d\d\)", Patience, before);

            // Still drawing the last figures, still running.
            terminal.WaitForLine(@"subnet 1 2001:db8:1::/64\s+NA\s+0\s+256", Patience, before);
            Assert.Null(terminal.WaitForExit(TimeSpan.FromSeconds(1)));

            terminal.Type("\u0003");
            Assert.Equal(0, terminal.WaitForExit(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            server.Dispose();
        }
    }
}
