using System.Diagnostics;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// A client behind a real relay agent: ISC <c>dhcrelay -6</c> runs in a namespace between the
/// client and the server, so the server sees Relay-Forward messages from 2001:db8:1::2 whose
/// link-address (2001:db8:2::1) selects the subnet.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RelayClientTests : IDisposable
{
    private readonly NetworkLab _lab = new(withRelay: true);
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-relay-").FullName;
    private Process? _relay;

    [Fact]
    public void AClientBehindDhcrelayGetsAnAddressFromTheRelayedSubnet()
    {
        using var server = ServerProcess.Start(_lab, Configs.Relayed());
        StartRelay();
        using var client = new Dhclient(_lab, _clientDir);

        var (code, output) = client.Obtain();

        Assert.True(code == 0, output + server.Output + RelayOutput());
        var address = Assert.Single(client.Addresses());
        Assert.StartsWith("2001:db8:2::1", address, StringComparison.Ordinal);
        var row = Assert.Single(LeaseCsv.Rows(server.LeaseRows()), r => r["address"] == address);
        Assert.Equal("2", row["subnet_id"]);
        Assert.Contains("2001:db8:1::2", File.ReadAllText(server.LogFile), StringComparison.Ordinal); // the relay, not the client, talked to us
    }

    private void StartRelay()
    {
        // -d: stay in the foreground so the test owns the process; -l lower (client side), -u upper (server).
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", _lab.RelayNamespace!, "dhcrelay", "-6", "-d", "-pf", Path.Combine(_clientDir, "dhcrelay.pid"), "-l", _lab.RelayDownlink, "-u", $"2001:db8:1::1%{_lab.RelayUplink}" })
        {
            info.ArgumentList.Add(arg);
        }

        _relay = Process.Start(info)!;
        _relayOutput = _relay.StandardError.ReadToEndAsync();

        // dhcrelay logs its sockets once it listens.
        Thread.Sleep(1000);
        Assert.False(_relay.HasExited, "dhcrelay exited: " + RelayOutput());
    }

    private Task<string>? _relayOutput;

    private string RelayOutput() => _relay is { HasExited: true } && _relayOutput is { } text ? text.Result : "";

    public void Dispose()
    {
        if (_relay is { HasExited: false })
        {
            _relay.Kill();
            _relay.WaitForExit(5000);
        }

        _relay?.Dispose();
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
