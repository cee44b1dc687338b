using Microsoft.Extensions.Logging;
using Pukeko.Daemon.Hosting;
using Pukeko.Server.Configuration;
using Xunit.Abstractions;

namespace Pukeko.Daemon.Tests.Hosting;

/// <summary>
/// Runs the <c>-t</c> check on every configuration Kea ships as an example (KeaExamples/, copied unmodified from
/// Kea 2.2.0 and from a current 3.x revision). Each one must be accepted, except those listed in
/// <see cref="ExpectedRejections"/> with the reason and the exact error.
/// </summary>
public sealed class KeaExampleConfigTests(ITestOutputHelper output)
{
    /// <summary>
    /// Paths as a packaged Kea would have them. Nothing here has to exist: like Kea's own -t, the check opens no
    /// lease file, log file or socket; it does open the hook libraries, as Kea's does.
    /// </summary>
    private static readonly ConfigEnvironment Environment = new("/var/lib/kea", "/var/log/kea", "/run/kea", "/usr/lib/kea/hooks");

    private static readonly string ExamplesDirectory = Path.Combine(AppContext.BaseDirectory, "KeaExamples");

    /// <summary>
    /// The examples Pukeko refuses, each needing something it does not have; keyed by file, with why and the exact
    /// error reason <c>-t</c> logs.
    /// </summary>
    private static readonly Dictionary<string, (string Why, string Error)> ExpectedRejections = new(StringComparer.Ordinal)
    {
        ["kea-2.2/config-backend.json"] = (
            "a MySQL configuration backend (config-control) through Kea 2.x's libdhcp_mysql_cb.so",
            "Dhcp6/hooks-libraries[0]/library: libdhcp_mysql_cb.so is Kea's MySQL Configuration Backend library, which Pukeko does not have: subnets, options and classes kept in the database would be missing"),
        ["kea-2.2/all-keys.json"] = (
            "MySQL host databases in hosts-databases (beside a PostgreSQL one); serving without them would hand their reserved addresses to other clients",
            "Dhcp6/hosts-databases[0]/type: hosts database type 'mysql' is not supported: Pukeko has no MySQL backend, so the reservations kept there would be missing (use postgresql)"),
        ["kea-2.2/all-keys-netconf.json"] = (
            "the same as all-keys.json",
            "Dhcp6/hosts-databases[0]/type: hosts database type 'mysql' is not supported: Pukeko has no MySQL backend, so the reservations kept there would be missing (use postgresql)"),
        ["kea-2.2/mysql-reservations.json"] = (
            "a MySQL host database; serving without it would hand its reserved addresses to other clients",
            "Dhcp6/hosts-database/type: hosts database type 'mysql' is not supported: Pukeko has no MySQL backend, so the reservations kept there would be missing (use postgresql)"),
        ["kea-2.2/hooks.json"] = (
            "the example's own hook libraries (/opt/lib/security.so, /opt/lib/charging.so) do not exist here; Kea's -t opens every library too and fails the same way",
            "Dhcp6/hooks-libraries: hooks library /opt/lib/security.so: file not found"),
        ["kea-current/all-keys.json"] = (
            "MySQL and PostgreSQL host databases through Kea 3.x's libdhcp_mysql.so and libdhcp_pgsql.so (also a MySQL config backend and credential files under /usr/local/share/kea/kea-creds, which Kea's -t reads too)",
            "Dhcp6/hooks-libraries[1]/library: libdhcp_mysql.so is Kea's MySQL library, which Pukeko does not have: it provides the MySQL lease, host and configuration backends, and Pukeko has no MySQL backend (use memfile or postgresql in lease-database)"),
        ["kea-current/all-keys-netconf.json"] = (
            "the same as all-keys.json",
            "Dhcp6/hooks-libraries[1]/library: libdhcp_mysql.so is Kea's MySQL library, which Pukeko does not have: it provides the MySQL lease, host and configuration backends, and Pukeko has no MySQL backend (use memfile or postgresql in lease-database)"),
        ["kea-current/config-backend.json"] = (
            "a MySQL configuration backend (config-control) through libdhcp_mysql.so",
            "Dhcp6/hooks-libraries[0]/library: libdhcp_mysql.so is Kea's MySQL library, which Pukeko does not have: it provides the MySQL lease, host and configuration backends, and Pukeko has no MySQL backend (use memfile or postgresql in lease-database)"),
        ["kea-current/hooks.json"] = (
            "the example's own hook libraries (security.so, charging.so in the hooks directory) do not exist here; Kea's -t opens every library too",
            "Dhcp6/hooks-libraries: hooks library /usr/lib/kea/hooks/security.so: file not found"),
        ["kea-current/mysql-reservations.json"] = (
            "a MySQL host database through libdhcp_mysql.so",
            "Dhcp6/hooks-libraries[0]/library: libdhcp_mysql.so is Kea's MySQL library, which Pukeko does not have: it provides the MySQL lease, host and configuration backends, and Pukeko has no MySQL backend (use memfile or postgresql in lease-database)"),
    };

    public static TheoryData<string> Examples() => new(ExampleNames());

    /// <summary>"kea-2.2/simple.json" and so on.</summary>
    private static List<string> ExampleNames() =>
        [.. Directory.EnumerateFiles(ExamplesDirectory, "*.json", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(ExamplesDirectory, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_check_accepts_keas_example_or_rejects_it_for_its_listed_reason(string example)
    {
        using var loggers = new RecordingLoggerFactory();
        using var stderr = new StringWriter();
        var file = Path.Combine(ExamplesDirectory, example);

        // The examples name interfaces of the machines ISC wrote them on (eth0, ens4, ...); this test is about the rest.
        var exit = ConfigCheck.Run(file, Environment, loggers, stderr, static _ => []);

        foreach (var (level, text) in loggers.Lines.Where(l => l.Level >= LogLevel.Warning))
        {
            output.WriteLine($"{level}: {text}");
        }

        var errors = loggers.At(LogLevel.Error).ToList();
        if (ExpectedRejections.TryGetValue(example, out var rejection))
        {
            Assert.Equal(1, exit);
            Assert.True(
                errors.Any(e => e.EndsWith("reason: " + rejection.Error, StringComparison.Ordinal)),
                $"{example} should be refused for {rejection.Why} with:\n{rejection.Error}\ngot:\n{string.Join("\n", errors)}");
        }
        else
        {
            Assert.True(exit == 0, $"{example} was rejected:\n{string.Join("\n", errors)}\n{stderr}");
            Assert.Empty(errors);
            Assert.Contains(loggers.At(LogLevel.Information), l => l.Contains("successful", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Both_kea_versions_are_present_and_every_expected_rejection_names_one_of_their_files()
    {
        var examples = ExampleNames();
        Assert.Equal(27, examples.Count(e => e.StartsWith("kea-2.2/", StringComparison.Ordinal)));
        Assert.Equal(29, examples.Count(e => e.StartsWith("kea-current/", StringComparison.Ordinal)));
        Assert.All(ExpectedRejections.Keys, key => Assert.Contains(key, examples));
    }
}
