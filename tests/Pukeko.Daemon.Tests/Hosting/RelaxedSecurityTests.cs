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

    /// <summary>Runs <c>-t</c> on a Kea 3.x file (it has the control-sockets list) with this body and these variables.</summary>
    private (int Exit, RecordingLoggerFactory Log) CheckKea3(string body, Func<string, string?> variables, params string[] flags)
    {
        var file = Path.Combine(_directory, "kea-dhcp6.conf");
        File.WriteAllText(file, $$"""{ "Dhcp6": { "control-sockets": [ { "socket-type": "unix", "socket-name": "ctrl" } ], {{body}} } }""");
        var options = Assert.IsType<CommandLineOptions>(KeaCommandLine.Parse([.. flags, "-t", file]));
        var loggers = new RecordingLoggerFactory();
        using var stderr = new StringWriter();
        return (ConfigCheck.Run(file, DaemonEnvironment.From(options, variables), loggers, stderr), loggers);
    }

    private static string? NoVariables(string name) => null;

    [Theory]
    [InlineData(""" "lease-database": { "type": "memfile", "name": "/tmp/leases.csv" } """, "DHCPSRV_MEMFILE_PATH_SECURITY_WARNING Dhcp6/lease-database/name: Lease file path specified is NOT SECURE: invalid path specified: '/tmp', supported path is '/var/lib/kea'")]
    [InlineData(""" "loggers": [ { "name": "kea-dhcp6", "output-options": [ { "output": "/tmp/kea.log" } ] } ] """, "DCTL_LOG_PATH_SECURITY_WARNING Dhcp6/loggers[0]/output-options[0]/output: Log output path specified is NOT SECURE: invalid path specified: '/tmp', supported path is '/var/log/kea'")]
    [InlineData(""" "hooks-libraries": [ { "library": "/tmp/Policy.dll" } ] """, "HOOKS_LIBPATH_SECURITY_WARNING Dhcp6/hooks-libraries[0]/library: Library path specified is NOT SECURE: invalid path specified: '/tmp', supported path is '")]
    public void A_file_outside_its_directory_fails_the_check_and_X_turns_that_into_keas_warning(string body, string warning)
    {
        var (exit, log) = CheckKea3(body, NoVariables);
        Assert.Equal(1, exit);
        Assert.Contains(log.At(LogLevel.Error), e => e.Contains("invalid path specified: '/tmp'", StringComparison.Ordinal));

        // -X: the path is accepted (a hook library then fails only because /tmp/Policy.dll does not exist).
        (_, log) = CheckKea3(body, NoVariables, "-X");
        Assert.Contains(log.WithIds, l => l.StartsWith(warning, StringComparison.Ordinal) && l.Contains("(-X)", StringComparison.Ordinal));
        Assert.DoesNotContain(log.At(LogLevel.Error), e => e.Contains("invalid path specified", StringComparison.Ordinal));
    }

    [Fact]
    public void The_directory_variables_permit_their_directories()
    {
        var variables = new Dictionary<string, string> { ["KEA_DHCP_DATA_DIR"] = "/tmp/d", ["KEA_LOG_FILE_DIR"] = "/tmp/l", ["KEA_CONTROL_SOCKET_DIR"] = "/tmp/c" };
        var (exit, log) = CheckKea3(
            """
            "lease-database": { "type": "memfile", "name": "/tmp/d/leases.csv" },
            "loggers": [ { "name": "kea-dhcp6", "output-options": [ { "output": "/tmp/l/kea.log" } ] } ]
            """,
            variables.GetValueOrDefault);
        Assert.True(exit == 0, string.Join("\n", log.At(LogLevel.Error)));
        Assert.DoesNotContain(log.At(LogLevel.Warning), w => w.Contains("NOT SECURE", StringComparison.Ordinal));
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
