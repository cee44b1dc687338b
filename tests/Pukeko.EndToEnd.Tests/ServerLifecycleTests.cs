using System.Diagnostics;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Start-up, reload, shutdown and bad input, with the real executable.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServerLifecycleTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;

    [Fact]
    public void BadConfigIsRefusedWithItsJsonPath()
    {
        var bad = Configs.Basic().Replace("2001:db8:1::100-2001:db8:1::1ff", "2001:db9::1-2001:db9::5", StringComparison.Ordinal);
        using var server = ServerProcess.Start(_lab, bad, waitForStart: false);
        Assert.True(Run.WaitFor(() => server.HasExited, TimeSpan.FromSeconds(20)), server.Output);
        Assert.NotEqual(0, server.ExitCode);
        Assert.Contains("Dhcp6/subnet6[0]/pools[0]/pool", server.Output, StringComparison.Ordinal);
        Assert.Contains("outside subnet", server.Output, StringComparison.Ordinal);
        Assert.Contains("Failed to initialize server", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigCheckFlagReportsErrorAndExitsNonZero()
    {
        var dir = Directory.CreateTempSubdirectory("pukeko-check-").FullName;
        var file = Path.Combine(dir, "bad.conf");
        File.WriteAllText(file, """{ "Dhcp6": { "valid-lifetime": -1, "subnet6": [ { "subnet": "2001:db8::/64" } ] } }""");
        var (code, output) = Run.Command(ServerProcess.Executable, "-t", file);
        Assert.Equal(1, code);
        Assert.Contains("ERROR", output, StringComparison.Ordinal);
        Assert.Contains("Dhcp6/valid-lifetime", output, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void SighupWithBadConfigKeepsServingWithTheOldOne()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        var configFile = Path.Combine(server.Directory, "kea-dhcp6.conf");
        File.WriteAllText(configFile, "{ \"Dhcp6\": { \"subnet6\": [ { \"subnet\": \"not-a-prefix\" } ] } }");

        server.Signal("HUP");

        // Generous: on a loaded CI machine a reload has been seen to take over 10 s to be scheduled.
        Assert.True(Run.WaitFor(() => File.ReadAllText(server.LogFile).Contains("DHCP6_DYNAMIC_RECONFIGURATION_FAIL", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), server.Output + File.ReadAllText(server.LogFile));
        Assert.False(server.HasExited);
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        Assert.NotEmpty(client.Addresses());
    }

    [Fact]
    public void SighupWithGoodConfigAppliesIt()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        var configFile = Path.Combine(server.Directory, "kea-dhcp6.conf");
        var updated = File.ReadAllText(configFile).Replace("2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::500-2001:db8:1::5ff", StringComparison.Ordinal);
        File.WriteAllText(configFile, updated);

        server.Signal("HUP");

        Assert.True(Run.WaitFor(() => File.ReadAllText(server.LogFile).Contains("dynamic server reconfiguration succeeded with file", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), server.Output + File.ReadAllText(server.LogFile));
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        Assert.StartsWith("2001:db8:1::5", client.Addresses().Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void SighupReloadsAServerStartedWithHangupIgnoredAsUnderNohup()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(), hangupIgnored: true);
        var configFile = Path.Combine(server.Directory, "kea-dhcp6.conf");
        File.WriteAllText(configFile, File.ReadAllText(configFile).Replace("2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::500-2001:db8:1::5ff", StringComparison.Ordinal));

        server.Signal("HUP");

        Assert.True(Run.WaitFor(() => File.ReadAllText(server.LogFile).Contains("dynamic server reconfiguration succeeded with file", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), server.Output + File.ReadAllText(server.LogFile));
        Assert.False(server.HasExited);
    }

    [Fact]
    public void ASecondServerWithTheSameConfigurationRefusesToStart()
    {
        using var first = ServerProcess.Start(_lab, Configs.Basic());
        using var second = ServerProcess.Start(_lab, Configs.Basic(), first.Directory, waitForStart: false);

        Assert.True(Run.WaitFor(() => second.HasExited, TimeSpan.FromSeconds(20)), second.Output);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("already running", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public void SigtermStopsWithinTwoSeconds()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic());
        var watch = Stopwatch.StartNew();
        Assert.True(server.Stop(TimeSpan.FromSeconds(5)), "server did not stop");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(0, server.ExitCode);
        Assert.Contains("DHCP6_SHUTDOWN", File.ReadAllText(server.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageBurstIsCountedAndDroppedWhileARealClientIsServed()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: "\"multi-threading\": { \"packet-queue-size\": 2000 },"));
        const int count = 300;

        // Solicits whose option runs past the end of the datagram, and bare truncated headers.
        var script = $$"""
            import socket, random, time
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            idx = socket.if_nametoindex('{{_lab.ClientInterface}}')
            rnd = random.Random(7)
            for i in range({{count}}):
                if i % 2 == 0:
                    body = bytes([1, 1, 2, 3, 0, 1, 0, 200]) + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 100)))
                else:
                    body = bytes([1, rnd.randrange(256)])
                s.sendto(body, ('ff02::1:2', 547, 0, idx))
                time.sleep(0.001)
            """;
        var scriptFile = Path.Combine(_clientDir, "garbage.py");
        File.WriteAllText(scriptFile, script);
        var (sendCode, sendOutput) = Run.Command("ip", "netns", "exec", _lab.ClientNamespace, "python3", scriptFile);
        Assert.True(sendCode == 0, sendOutput);

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        Assert.NotEmpty(client.Addresses());
        Assert.False(server.HasExited);

        var drops = 0;
        Run.WaitFor(() => (drops = File.ReadAllLines(server.LogFile).Count(l => l.Contains("DHCP6_PACKET_DROP_PARSE_FAIL", StringComparison.Ordinal))) >= count, TimeSpan.FromSeconds(10));
        Assert.Equal(count, drops);
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
