using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>
/// Kea 3.x's rules for lease files, log files and hook libraries (<see cref="Server.Configuration.Parsing.PermittedDirectory"/>):
/// enforced in a file with the <c>control-sockets</c> list, relaxed to warnings by <c>-X</c>, and only warnings in a
/// Kea 2.x-style file. <see cref="ConfigTest.TestEnvironment"/> puts data in /srv/kea-data, logs in /srv/kea-log and
/// hook libraries in /srv/kea-hooks.
/// </summary>
public sealed class PathSecurityTests
{
    private const string Kea3Socket = """ "control-sockets": [ { "socket-type": "unix", "socket-name": "kea6-ctrl-socket" } ], """;

    private static string Kea3(string body) => Dhcp6(Kea3Socket + body);

    private static string LeaseFile(string name, string extra = "") => $$""" "lease-database": { "type": "memfile", "name": "{{name}}"{{extra}} } """;

    private static string LogFile(string output) => $$""" "loggers": [ { "name": "kea-dhcp6", "output-options": [ { "output": "{{output}}" } ] } ] """;

    private static string Hook(string library) => $$""" "hooks-libraries": [ { "library": "{{library}}" } ] """;

    private static ConfigLoadResult LoadIn(ConfigEnvironment environment, string text) => ConfigLoader.LoadText(text, null, environment);

    private static ConfigLoadResult LoadRelaxed(string text) => LoadIn(TestEnvironment with { RelaxedSecurity = true }, text);

    private static void AssertNoPathWarning(ConfigLoadResult result) =>
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("NOT SECURE", StringComparison.Ordinal));

    // ---- lease files (KEA_DHCP_DATA_DIR) ----

    [Theory]
    [InlineData("/tmp/leases.csv", "'/tmp'")]
    [InlineData("/var/lib/kea/kea-leases6.csv", "'/var/lib/kea'")]
    [InlineData("sub/leases.csv", "'sub'")]
    [InlineData("~/leases.csv", "'~'")]
    [InlineData("/leases.csv", "'/'")]
    public void A_kea_3_file_refuses_a_lease_file_outside_the_data_directory(string name, string shown)
    {
        var result = LoadFails(Kea3(LeaseFile(name)), "Dhcp6/lease-database/name", $"invalid path specified: {shown}, supported path is '/srv/kea-data'");
        Assert.DoesNotContain(result.Errors, e => e.Path != "Dhcp6/lease-database/name");
    }

    [Theory]
    [InlineData("leases.csv")]
    [InlineData("/srv/kea-data/leases.csv")]
    [InlineData("/srv/kea-data//leases.csv")]
    [InlineData("/srv/kea-data/./leases.csv")]
    public void A_kea_3_file_accepts_a_lease_file_in_the_data_directory(string name)
    {
        var result = Load(Kea3(LeaseFile(name)));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("/srv/kea-data/leases.csv", result.Config!.LeaseDatabase.FilePath);
        AssertNoPathWarning(result);
    }

    [Fact]
    public void With_X_a_lease_file_outside_is_a_warning_with_keas_id_and_is_used_where_named()
    {
        var result = LoadRelaxed(Kea3(LeaseFile("/tmp/leases.csv")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("/tmp/leases.csv", result.Config!.LeaseDatabase.FilePath);
        var warning = Assert.Single(result.Warnings, w => w.Path == "Dhcp6/lease-database/name");
        Assert.Equal("DHCPSRV_MEMFILE_PATH_SECURITY_WARNING", warning.LogId);
        Assert.StartsWith("Lease file path specified is NOT SECURE: invalid path specified: '/tmp', supported path is '/srv/kea-data'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("(-X)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kea_2_file_keeps_a_lease_file_outside_with_a_warning()
    {
        var result = Load(Dhcp6(LeaseFile("/tmp/leases.csv")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("/tmp/leases.csv", result.Config!.LeaseDatabase.FilePath);
        AssertWarning(result, "Dhcp6/lease-database/name", "Lease file path specified is NOT SECURE: invalid path specified: '/tmp'");
        AssertWarning(result, "Dhcp6/lease-database/name", "Kea 2.x configuration (no 'control-sockets' list)");
        Assert.Equal("DHCPSRV_MEMFILE_PATH_SECURITY_WARNING", Assert.Single(result.Warnings).LogId);
    }

    [Fact]
    public void The_kea_2_single_control_socket_map_does_not_make_a_file_kea_3()
    {
        var result = Load(Dhcp6("""
            "control-socket": { "socket-type": "unix", "socket-name": "kea6-ctrl-socket" },
            """ + LeaseFile("/tmp/leases.csv")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/lease-database/name", "Kea 2.x configuration");
    }

    [Theory]
    [InlineData("/srv/kea-data/")]
    [InlineData("/tmp/..")]
    public void A_lease_file_name_without_a_file_part_is_refused_even_with_X(string name)
    {
        foreach (var result in new[] { Load(Kea3(LeaseFile(name))), LoadRelaxed(Kea3(LeaseFile(name))), Load(Dhcp6(LeaseFile(name))) })
        {
            Assert.False(result.Success);
            AssertError(result, "Dhcp6/lease-database/name", $"path: '{name}' has no filename");
        }
    }

    [Fact]
    public void A_lease_file_that_is_not_written_is_not_checked()
    {
        var result = Load(Kea3(LeaseFile("/tmp/leases.csv", """, "persist": false""")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertNoPathWarning(result);
    }

    [Fact]
    public void A_postgresql_database_name_is_no_path()
    {
        var result = Load(Kea3(""" "lease-database": { "type": "postgresql", "name": "/tmp/keadb", "host": "localhost" } """));
        Assert.DoesNotContain(result.Errors, e => e.Path == "Dhcp6/lease-database/name");
        AssertNoPathWarning(result);
    }

    [Fact]
    public void KEA_DHCP_DATA_DIR_moves_the_permitted_directory()
    {
        var environment = ConfigEnvironment.FromVariables(n => n == ConfigEnvironment.DataDirectoryVariable ? "/tmp/data/" : null);
        var result = LoadIn(environment, Kea3(LeaseFile("/tmp/data/leases.csv")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.False(LoadIn(environment, Kea3(LeaseFile("/var/lib/kea/leases.csv"))).Success);
    }

    // ---- log files (KEA_LOG_FILE_DIR) ----

    [Theory]
    [InlineData("/tmp/kea.log", "'/tmp'")]
    [InlineData("/var/log/kea/kea.log", "'/var/log/kea'")]
    [InlineData("logs/kea.log", "'logs'")]
    public void A_kea_3_file_refuses_a_log_file_outside_the_log_directory(string output, string shown) =>
        LoadFails(Kea3(LogFile(output)), "Dhcp6/loggers[0]/output-options[0]/output",
            $"invalid path in `output`: invalid path specified: {shown}, supported path is '/srv/kea-log'");

    [Theory]
    [InlineData("kea.log", "/srv/kea-log/kea.log")]
    [InlineData("/srv/kea-log/kea.log", "/srv/kea-log/kea.log")]
    [InlineData("stdout", "stdout")]
    [InlineData("stderr", "stderr")]
    [InlineData("syslog", "syslog")]
    [InlineData("syslog:local3", "syslog:local3")]
    public void A_kea_3_file_accepts_log_files_in_the_log_directory_and_the_special_outputs(string output, string expected)
    {
        var result = Load(Kea3(LogFile(output)));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(expected, Assert.Single(Assert.Single(result.Config!.Loggers).Outputs).Output);
        AssertNoPathWarning(result);
    }

    [Fact]
    public void A_refused_log_file_leaves_its_logger_out_of_the_loggers_a_failed_start_uses()
    {
        var result = Load(Kea3(LogFile("/tmp/kea.log")));
        Assert.False(result.Success);
        Assert.Empty(result.Loggers);
    }

    [Fact]
    public void With_X_or_in_a_kea_2_file_a_log_file_outside_is_a_warning_with_keas_id()
    {
        foreach (var (result, why) in new[] { (LoadRelaxed(Kea3(LogFile("/tmp/kea.log"))), "(-X)"), (Load(Dhcp6(LogFile("/tmp/kea.log"))), "Kea 2.x") })
        {
            Assert.True(result.Success, string.Join("\n", result.Errors));
            Assert.Equal("/tmp/kea.log", Assert.Single(Assert.Single(result.Config!.Loggers).Outputs).Output);
            var warning = Assert.Single(result.Warnings);
            Assert.Equal("Dhcp6/loggers[0]/output-options[0]/output", warning.Path);
            Assert.Equal("DCTL_LOG_PATH_SECURITY_WARNING", warning.LogId);
            Assert.StartsWith("Log output path specified is NOT SECURE: invalid path specified: '/tmp', supported path is '/srv/kea-log'", warning.Message, StringComparison.Ordinal);
            Assert.Contains(why, warning.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KEA_LOG_FILE_DIR_moves_the_permitted_directory()
    {
        var environment = ConfigEnvironment.FromVariables(n => n == ConfigEnvironment.LogDirectoryVariable ? "/tmp/logs" : null);
        Assert.True(LoadIn(environment, Kea3(LogFile("/tmp/logs/kea.log"))).Success);
        Assert.False(LoadIn(environment, Kea3(LogFile("/var/log/kea/kea.log"))).Success);
    }

    // ---- hook libraries (KEA_HOOKS_PATH) ----

    [Theory]
    [InlineData("/opt/pukeko/hooks/Policy.dll", "'/opt/pukeko/hooks'")]
    [InlineData("sub/Policy.dll", "'sub'")]
    public void A_kea_3_file_refuses_a_dotnet_library_outside_the_hooks_directory(string library, string shown) =>
        LoadFails(Kea3(Hook(library)), "Dhcp6/hooks-libraries[0]/library",
            $"hooks library configuration error: invalid path specified: {shown}, supported path is '/srv/kea-hooks'");

    [Theory]
    [InlineData("Policy.dll")]
    [InlineData("/srv/kea-hooks/Policy.dll")]
    public void A_dotnet_library_named_bare_or_in_the_hooks_directory_is_taken_from_it(string library)
    {
        var result = Load(Kea3(Hook(library)));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("/srv/kea-hooks/Policy.dll", Assert.Single(result.Config!.HooksLibraries).Library);
        AssertNoPathWarning(result);
    }

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so")]
    [InlineData("/usr/local/lib/kea/hooks/libdhcp_lease_cmds.so")]
    [InlineData("/tmp/libdhcp_lease_cmds.so")]
    [InlineData("libdhcp_lease_cmds.so")]
    public void Keas_own_libraries_are_accepted_wherever_their_path_points(string library)
    {
        var result = Load(Kea3(Hook(library)));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Path.StartsWith("Dhcp6/hooks-libraries", StringComparison.Ordinal));
    }

    [Fact]
    public void A_kea_library_that_is_not_built_in_gets_only_its_own_warning()
    {
        var result = Load(Kea3(Hook("/opt/kea/libdhcp_perfmon.so")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/hooks-libraries[0]/library", "not built into Pukeko");
        AssertNoPathWarning(result);
    }

    [Fact]
    public void With_X_or_in_a_kea_2_file_a_dotnet_library_outside_is_a_warning_with_keas_id()
    {
        foreach (var (result, why) in new[] { (LoadRelaxed(Kea3(Hook("/opt/hooks/Policy.dll"))), "(-X)"), (Load(Dhcp6(Hook("/opt/hooks/Policy.dll"))), "Kea 2.x") })
        {
            Assert.True(result.Success, string.Join("\n", result.Errors));
            Assert.Equal("/opt/hooks/Policy.dll", Assert.Single(result.Config!.HooksLibraries).Library);
            var warning = Assert.Single(result.Warnings);
            Assert.Equal("Dhcp6/hooks-libraries[0]/library", warning.Path);
            Assert.Equal("HOOKS_LIBPATH_SECURITY_WARNING", warning.LogId);
            Assert.StartsWith("Library path specified is NOT SECURE: invalid path specified: '/opt/hooks', supported path is '/srv/kea-hooks'", warning.Message, StringComparison.Ordinal);
            Assert.Contains(why, warning.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KEA_HOOKS_PATH_moves_the_permitted_directory()
    {
        var environment = ConfigEnvironment.FromVariables(n => n == ConfigEnvironment.HooksDirectoryVariable ? "/opt/hooks" : null);
        var result = LoadIn(environment, Kea3(Hook("Policy.dll")));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("/opt/hooks/Policy.dll", Assert.Single(result.Config!.HooksLibraries).Library);
        Assert.False(LoadIn(environment, Kea3(Hook("/srv/kea-hooks/Policy.dll"))).Success);
    }

    [Fact]
    public void Every_refusal_of_one_file_is_reported_at_once()
    {
        var result = Load(Kea3(LeaseFile("/tmp/l.csv") + "," + LogFile("/tmp/k.log") + "," + Hook("/tmp/H.dll")));
        Assert.False(result.Success);
        Assert.Equal(
            ["Dhcp6/hooks-libraries[0]/library", "Dhcp6/lease-database/name", "Dhcp6/loggers[0]/output-options[0]/output"],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    // ---- Pukeko's own files satisfy the rules ----

    [Fact]
    public void The_packaged_configuration_passes_with_the_packaged_directories()
    {
        // packaging/deb/pukeko-dhcp6.sh sets these before it starts the server.
        var environment = new ConfigEnvironment("/var/lib/pukeko", "/var/log/pukeko", "/run/pukeko", ConfigEnvironment.DefaultHooksDirectory);
        var result = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "packaging", "deb", "pukeko-dhcp6.conf"), environment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertNoPathWarning(result);
        Assert.Equal("/var/lib/pukeko/kea-leases6.csv", result.Config!.LeaseDatabase.FilePath);
    }

    [Fact]
    public void The_example_configuration_passes_with_keas_default_directories()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "examples", "kea-dhcp6.conf"), ConfigEnvironment.FromVariables(_ => null));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertNoPathWarning(result);
    }

    // ---- the forensic log's directory (KEA_LEGAL_LOG_DIR) and scripts hook libraries run (KEA_HOOK_SCRIPTS_PATH) ----

    private static string HookWith(string library, string parameters) =>
        $$""" "hooks-libraries": [ { "library": "{{library}}", "parameters": { {{parameters}} } } ] """;

    [Fact]
    public void A_kea_3_file_refuses_a_forensic_log_directory_other_than_the_legal_log_directory()
    {
        LoadFails(Kea3(HookWith("libdhcp_legal_log.so", """ "path": "/tmp/legal" """)), "Dhcp6/hooks-libraries[0]/parameters/path",
            "invalid path specified: '/tmp/legal', supported path is '/srv/kea-log'");
        foreach (var directory in new[] { "/srv/kea-log", "/srv/kea-log/", "." })
        {
            var result = Load(Kea3(HookWith("libdhcp_legal_log.so", $$""" "path": "{{directory}}" """)));
            Assert.True(result.Success, directory + ": " + string.Join("\n", result.Errors));
            AssertNoPathWarning(result);
        }
    }

    [Fact]
    public void KEA_LEGAL_LOG_DIR_moves_the_forensic_log_directory_and_X_or_a_kea_2_file_only_warn()
    {
        var environment = ConfigEnvironment.FromVariables(n => n == ConfigEnvironment.LegalLogDirectoryVariable ? "/tmp/legal" : null);
        Assert.True(LoadIn(environment, Kea3(HookWith("libdhcp_legal_log.so", """ "path": "/tmp/legal" """))).Success);
        foreach (var (result, why) in new[]
        {
            (LoadRelaxed(Kea3(HookWith("libdhcp_legal_log.so", """ "path": "/tmp/elsewhere" """))), "(-X)"),
            (Load(Dhcp6(HookWith("libdhcp_legal_log.so", """ "path": "/tmp/elsewhere" """))), "Kea 2.x"),
        })
        {
            Assert.True(result.Success, string.Join("\n", result.Errors));
            var warning = Assert.Single(result.Warnings, w => w.Path == "Dhcp6/hooks-libraries[0]/parameters/path");
            Assert.Equal("LEGAL_LOG_PATH_SECURITY_WARNING", warning.LogId);
            Assert.Contains(why, warning.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("libdhcp_run_script.so", "name")]
    [InlineData("libdhcp_legal_log.so", "prerotate")]
    [InlineData("libdhcp_legal_log.so", "postrotate")]
    public void A_kea_3_file_refuses_a_script_outside_the_hook_scripts_directory(string library, string key)
    {
        LoadFails(Kea3(HookWith(library, $$""" "{{key}}": "/tmp/script.sh" """)), $"Dhcp6/hooks-libraries[0]/parameters/{key}",
            "invalid path specified: '/tmp', supported path is '/usr/share/kea/scripts'");
        var environment = TestEnvironment with { HookScriptsDirectory = "/tmp" };
        var accepted = LoadIn(environment, Kea3(HookWith(library, $$""" "{{key}}": "/tmp/script.sh" """)));
        // The library's own checks (the forensic log wants an existing executable) may still refuse it; the rule does not.
        Assert.DoesNotContain(accepted.Errors, e => e.Message.Contains("supported path is", StringComparison.Ordinal));
        var relaxed = LoadRelaxed(Kea3(HookWith(library, $$""" "{{key}}": "/tmp/script.sh" """)));
        Assert.Contains(relaxed.Warnings, w => w.LogId == "HOOKS_SCRIPT_PATH_SECURITY_WARNING");
        Assert.DoesNotContain(relaxed.Errors, e => e.Message.Contains("supported path is", StringComparison.Ordinal));
    }

    [Fact]
    public void KEA_HOOK_SCRIPTS_PATH_moves_the_scripts_directory()
    {
        var environment = ConfigEnvironment.FromVariables(n => n == ConfigEnvironment.HookScriptsDirectoryVariable ? "/opt/scripts" : null);
        Assert.Equal("/opt/scripts", environment.HookScriptsDirectory);
        Assert.Equal(ConfigEnvironment.DefaultHookScriptsDirectory, ConfigEnvironment.FromVariables(_ => null).HookScriptsDirectory);
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pukeko.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Pukeko.slnx not found above " + AppContext.BaseDirectory);
    }
}
