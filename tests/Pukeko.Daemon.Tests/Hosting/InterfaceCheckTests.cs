using Microsoft.Extensions.Logging;
using Pukeko.Daemon.Hosting;
using Pukeko.Server.Configuration;

namespace Pukeko.Daemon.Tests.Hosting;

/// <summary>
/// <c>-t</c> refuses interfaces the system lacks, as Kea's does (its interface selection runs while parsing). The
/// loopback interface "lo" with "::1" is on every Linux system these tests run on.
/// </summary>
public sealed class InterfaceCheckTests : IDisposable
{
    private static readonly ConfigEnvironment Environment = new("/var/lib/kea", "/var/log/kea", "/run/kea", "/usr/lib/kea/hooks");
    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-daemon-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int Exit, List<string> Errors, string Stderr) Check(string interfaces)
    {
        var file = Path.Combine(_directory, "kea-dhcp6.conf");
        File.WriteAllText(file, $$"""{ "Dhcp6": { "interfaces-config": { "interfaces": {{interfaces}} }, "lease-database": { "type": "memfile", "persist": false } } }""");
        using var loggers = new RecordingLoggerFactory();
        using var stderr = new StringWriter();
        var exit = ConfigCheck.Run(file, Environment, loggers, stderr);
        return (exit, loggers.At(LogLevel.Error).ToList(), stderr.ToString());
    }

    [Theory]
    [InlineData("""[ "lo" ]""")]
    [InlineData("""[ "*" ]""")]
    [InlineData("""[ "lo/::1" ]""")]
    [InlineData("""[ ]""")]
    public void Interfaces_the_system_has_pass(string interfaces)
    {
        var (exit, errors, stderr) = Check(interfaces);
        Assert.True(exit == 0, string.Join("\n", errors) + stderr);
    }

    [Fact]
    public void A_name_the_system_lacks_fails_with_keas_reason_and_the_entrys_path()
    {
        var (exit, errors, stderr) = Check("""[ "lo", "pk-nosuch0" ]""");
        Assert.Equal(1, exit);
        var error = Assert.Single(errors);
        Assert.EndsWith("reason: Dhcp6/interfaces-config/interfaces[1]: Failed to select interface: interface 'pk-nosuch0' doesn't exist in the system", error, StringComparison.Ordinal);
        Assert.Contains("pk-nosuch0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unicast_address_the_interface_lacks_fails()
    {
        var (exit, errors, _) = Check("""[ "lo/2001:db8:ffff::77" ]""");
        Assert.Equal(1, exit);
        Assert.EndsWith("reason: Dhcp6/interfaces-config/interfaces[0]: Failed to select interface: interface 'lo' doesn't have address '2001:db8:ffff::77' assigned", Assert.Single(errors), StringComparison.Ordinal);
    }
}
