using Microsoft.Extensions.Logging;
using Pukeko.Daemon.CommandLine;
using Pukeko.Daemon.Hosting;

namespace Pukeko.Daemon.Tests.Hosting;

/// <summary><c>-X</c> from the command line reaches the configuration check (and every later load).</summary>
public sealed class RelaxedSecurityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-daemon-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int Exit, List<string> Errors, List<string> Warnings) Check(string socketsKey, string sockets, params string[] flags)
    {
        var file = Path.Combine(_directory, "kea-dhcp6.conf");
        File.WriteAllText(file, $$"""{ "Dhcp6": { "{{socketsKey}}": {{sockets}} } }""");
        var options = Assert.IsType<CommandLineOptions>(KeaCommandLine.Parse([.. flags, "-t", file]));
        var environment = DaemonEnvironment.From(options, name => name == "KEA_CONTROL_SOCKET_DIR" ? "/run/kea" : null);
        using var loggers = new RecordingLoggerFactory();
        using var stderr = new StringWriter();
        var exit = ConfigCheck.Run(file, environment, loggers, stderr);
        return (exit, loggers.At(LogLevel.Error).ToList(), loggers.At(LogLevel.Warning).ToList());
    }

    [Theory]
    [InlineData("/tmp/", "'/tmp'")]
    [InlineData("~/", "'~'")]
    [InlineData("/var/", "'/var'")]
    [InlineData("/etc/kea/", "'/etc/kea'")]
    public void Without_X_a_control_sockets_path_outside_the_socket_directory_fails_with_keas_text(string directory, string shown)
    {
        // ISC Forge (test_control_channel_socket_path) greps the log for this text.
        var (exit, errors, _) = Check("control-sockets", $$"""[ { "socket-type": "unix", "socket-name": "{{directory}}control_socket" } ]""");
        Assert.Equal(1, exit);
        Assert.Contains(errors, e => e.Contains($"'socket-name' is invalid: invalid path specified: {shown}, supported path is '/run/kea'", StringComparison.Ordinal));
    }

    [Fact]
    public void With_X_the_same_path_is_a_warning_and_the_check_passes()
    {
        var (exit, errors, warnings) = Check("control-sockets", """[ { "socket-type": "unix", "socket-name": "/tmp/control_socket" } ]""", "-X");
        Assert.True(exit == 0, string.Join("\n", errors));
        Assert.Contains(warnings, w => w.Contains("invalid path specified: '/tmp'", StringComparison.Ordinal) && w.Contains("(-X)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_kea_2_single_control_socket_passes_without_X()
    {
        var (exit, errors, warnings) = Check("control-socket", """{ "socket-type": "unix", "socket-name": "/tmp/kea6-ctrl-socket" }""");
        Assert.True(exit == 0, string.Join("\n", errors));
        Assert.Contains(warnings, w => w.Contains("Kea 2.x 'control-socket' form", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unsecured_http_socket_on_a_public_address_fails_without_X_and_warns_with_it()
    {
        const string Sockets = """[ { "socket-type": "http", "socket-address": "2001:db8::1", "socket-port": 8000 } ]""";
        var (exit, errors, _) = Check("control-sockets", Sockets);
        Assert.Equal(1, exit);
        Assert.Contains(errors, e => e.Contains("Unsecured HTTP control channel", StringComparison.Ordinal));

        (exit, errors, var warnings) = Check("control-sockets", Sockets, "-X");
        Assert.True(exit == 0, string.Join("\n", errors));
        Assert.Contains(warnings, w => w.Contains("NOT SECURE", StringComparison.Ordinal));
    }
}
