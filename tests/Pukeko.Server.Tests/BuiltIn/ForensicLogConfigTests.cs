using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Hooks;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>The forensic log library's entry in <c>hooks-libraries</c>: accepted as built in, parameters checked with their JSON path.</summary>
public sealed class ForensicLogConfigTests
{
    private static string Hooks(string parameters, string library = "libdhcp_legal_log.so") => Dhcp6($$"""
        "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" }, { "library": "{{library}}", "parameters": {{parameters}} } ]
        """);

    [Theory]
    [InlineData("libdhcp_legal_log.so")]
    [InlineData("/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_forensic_log.so")]
    public void Both_names_are_built_in_with_kea_defaults(string library)
    {
        Assert.Equal(KeaNativeLibraryKind.BuiltIn, KeaNativeLibraries.Find(library)!.Kind);
        var result = Load(Hooks("{}", library));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Path.StartsWith("Dhcp6/hooks-libraries", StringComparison.Ordinal));
        var options = Assert.IsType<ForensicLogOptions>(result.Config!.HooksLibraries[1].BuiltInOptions);
        Assert.Equal("/srv/kea-log", options.Directory);
        Assert.Equal("kea-legal", options.BaseName);
        Assert.Equal(ForensicTimeUnit.Day, options.TimeUnit);
        Assert.Equal(1u, options.Count);
        Assert.Equal("%Y-%m-%d %H:%M:%S %Z", options.TimestampFormat);
        Assert.False(options.HasCustomFormat);
    }

    [Fact]
    public void Every_parameter_is_read()
    {
        var config = LoadOk(Hooks("""
            { "path": "forensic", "base-name": "kea-forensic6", "time-unit": "second", "count": 3600,
              "timestamp-format": "%s", "mark-continuation-lines": false,
              "request-parser-format": "'req ' + hexstring(option[1].hex, ':')", "response-parser-format": "ifelse(pkt6.msgtype == 7, 'reply', '')",
              "name": "ignored-database-name" }
            """));
        var options = Assert.IsType<ForensicLogOptions>(config.HooksLibraries[1].BuiltInOptions);
        Assert.Equal("/srv/kea-log/forensic", options.Directory);
        Assert.Equal("kea-forensic6", options.BaseName);
        Assert.Equal(ForensicTimeUnit.Second, options.TimeUnit);
        Assert.Equal(3600u, options.Count);
        Assert.Equal("%s", options.TimestampFormat);
        Assert.False(options.MarkContinuationLines);
        Assert.NotNull(options.RequestFormat);
        Assert.NotNull(options.ResponseFormat);
    }

    [Theory]
    [InlineData("""{ "time-unit": "week" }""", "time-unit", "unknown time unit type: week, expected one of: second, day, month, year")]
    [InlineData("""{ "count": -1 }""", "count", "count value: -1 is out of range, expected value: 0..4294967295")]
    [InlineData("""{ "count": "7" }""", "count", "'count' must be an integer")]
    [InlineData("""{ "path": "" }""", "path", "path cannot be blank")]
    [InlineData("""{ "base-name": "" }""", "base-name", "file name cannot be blank")]
    [InlineData("""{ "base-name": 5 }""", "base-name", "'base-name' must be a string")]
    [InlineData("""{ "prerotate": "/nonexistent/rotate.sh" }""", "prerotate", "Invalid 'prerotate' parameter")]
    [InlineData("""{ "mark-continuation-lines": "yes" }""", "mark-continuation-lines", "must be a boolean")]
    [InlineData("""{ "request-parser-format": "'a' +" }""", "request-parser-format", "is not a valid string expression")]
    [InlineData("""{ "response-parser-format": "option[1].exists" }""", "response-parser-format", "is not a valid string expression")]
    [InlineData("""{ "type": "mysql" }""", "type", "writes the forensic log to files only")]
    [InlineData("""{ "type": "syslog" }""", "type", "writes the forensic log to files only")]
    public void A_bad_parameter_is_an_error_at_its_json_path(string parameters, string key, string message) =>
        LoadFails(Hooks(parameters), $"Dhcp6/hooks-libraries[1]/parameters/{key}", message);

    [Fact]
    public void Parameters_that_are_not_a_map_are_an_error() =>
        LoadFails(Hooks("[ 1 ]"), "Dhcp6/hooks-libraries[1]/parameters", "must be a map");
}
