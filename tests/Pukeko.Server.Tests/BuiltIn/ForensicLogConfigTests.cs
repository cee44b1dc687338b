using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;
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

    [Fact]
    public void Formats_may_name_options_of_the_configurations_option_def()
    {
        var text = Dhcp6("""
            "option-def": [ { "name": "site-tag", "code": 65000, "type": "string" } ],
            "hooks-libraries": [ { "library": "libdhcp_legal_log.so", "parameters": { "request-parser-format": "'site ' + option[site-tag].text" } } ]
            """);
        var result = Load(text);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.NotNull(Assert.IsType<ForensicLogOptions>(result.Config!.HooksLibraries[0].BuiltInOptions).RequestFormat);

        // Without the definition the name means nothing, as in Kea.
        var undefined = Load(text.Replace("""{ "name": "site-tag", "code": 65000, "type": "string" }""", "", StringComparison.Ordinal));
        Assert.False(undefined.Success);
        Assert.Contains(undefined.Errors, e => e.Path.EndsWith("request-parser-format", StringComparison.Ordinal));
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
    [InlineData("""{ "type": "mysql", "name": "kea" }""", "type", "the forensic log type 'mysql' is not supported: Pukeko has no MySQL backend")]
    [InlineData("""{ "type": "sqlite" }""", "type", "unknown forensic log type 'sqlite', expected 'logfile', 'syslog' or 'postgresql'")]
    [InlineData("""{ "type": "syslog", "facility": "local9" }""", "facility", "unknown syslog facility 'local9'")]
    [InlineData("""{ "type": "syslog", "pattern": 5 }""", "pattern", "'pattern' must be a string")]
    [InlineData("""{ "type": "postgresql" }""", "name", "missing mandatory parameter 'name'")]
    [InlineData("""{ "type": "postgresql", "name": "kea", "port": 70000 }""", "port", "port value: 70000 is out of range, expected value: 0..65535")]
    [InlineData("""{ "type": "postgresql", "name": "kea", "connect-timeout": -1 }""", "connect-timeout", "connect-timeout value: -1 is out of range")]
    [InlineData("""{ "type": "postgresql", "name": "kea", "on-fail": "retry" }""", "on-fail", "unsupported value 'retry'")]
    [InlineData("""{ "type": "postgresql", "name": "kea", "retry-on-startup": "yes" }""", "retry-on-startup", "'retry-on-startup' must be a boolean")]
    [InlineData("""{ "type": "postgresql", "name": "kea", "request-parser-format": "'a' +" }""", "request-parser-format", "is not a valid string expression")]
    public void A_bad_parameter_is_an_error_at_its_json_path(string parameters, string key, string message) =>
        LoadFails(Hooks(parameters), $"Dhcp6/hooks-libraries[1]/parameters/{key}", message);

    [Fact]
    public void Parameters_that_are_not_a_map_are_an_error() =>
        LoadFails(Hooks("[ 1 ]"), "Dhcp6/hooks-libraries[1]/parameters", "must be a map");

    [Fact]
    public void The_syslog_type_reads_keas_facility_and_pattern()
    {
        var config = LoadOk(Hooks("""{ "type": "syslog", "facility": "LOCAL5", "pattern": "%m", "timestamp-format": "%s" }"""));
        var options = Assert.IsType<ForensicLogOptions>(config.HooksLibraries[1].BuiltInOptions);
        Assert.Equal((ForensicLogType.Syslog, "local5", "%m"), (options.Type, options.Facility, options.Pattern));
        Assert.Null(options.Database);
    }

    [Fact]
    public void The_syslog_type_defaults_to_local0_and_keas_pattern()
    {
        var options = Assert.IsType<ForensicLogOptions>(LoadOk(Hooks("""{ "type": "syslog" }""")).HooksLibraries[1].BuiltInOptions);
        Assert.Equal((ForensicLogType.Syslog, "local0", null), (options.Type, options.Facility, options.Pattern));
    }

    [Fact]
    public void The_postgresql_type_reads_keas_database_keys()
    {
        var config = LoadOk(Hooks("""
            { "type": "postgresql", "name": "keadb", "host": "db.example.org", "port": 6543, "user": "keauser", "password": "keapass",
              "connect-timeout": 7, "max-reconnect-tries": 3, "reconnect-wait-time": 250, "retry-on-startup": true, "on-fail": "stop-retry-exit",
              "trust-anchor": "/etc/kea/ca.pem", "cert-file": "/etc/kea/cert.pem", "key-file": "/etc/kea/key.pem", "cipher-list": "AES",
              "read-timeout": 0, "write-timeout": 0, "tcp-user-timeout": 10, "tcp-nodelay": true, "request-parser-format": "'x'" }
            """));
        var options = Assert.IsType<ForensicLogOptions>(config.HooksLibraries[1].BuiltInOptions);
        Assert.Equal(ForensicLogType.PostgreSql, options.Type);
        var db = options.Database!;
        Assert.Equal(("keadb", "db.example.org", 6543, "keauser", "keapass", 7u), (db.Name, db.Host, db.Port, db.User, db.Password, db.ConnectTimeout));
        Assert.Equal((3u, 250u, true, DatabaseOnFail.StopRetryExit), (db.MaxReconnectTries, db.ReconnectWaitTime, db.RetryOnStartup, db.OnFail));
        Assert.Equal(("/etc/kea/ca.pem", "/etc/kea/cert.pem", "/etc/kea/key.pem"), (db.Tls.TrustAnchor, db.Tls.CertFile, db.Tls.KeyFile));
        Assert.NotNull(options.RequestFormat);
    }

    [Fact]
    public void The_postgresql_type_has_keas_defaults()
    {
        var options = Assert.IsType<ForensicLogOptions>(LoadOk(Hooks("""{ "type": "postgresql", "name": "kea" }""")).HooksLibraries[1].BuiltInOptions);
        var db = options.Database!;

        // Kea's legal log defaults on-fail to serve-retry-continue (the lease database defaults to stop-retry-exit).
        Assert.Equal(("localhost", 5432, 5u, DatabaseOnFail.ServeRetryContinue), (db.Host, db.Port, db.ConnectTimeout, db.OnFail));
    }

    [Fact]
    public void A_path_outside_the_legal_log_directory_is_not_checked_when_no_file_is_written()
    {
        // Kea 3.x checks "path" only for the file backend; with syslog or a database it is not used.
        const string PathKey = "Dhcp6/hooks-libraries[1]/parameters/path";
        var syslog = Load(Hooks("""{ "type": "syslog", "path": "/somewhere/else" }"""));
        Assert.True(syslog.Success);
        Assert.DoesNotContain(syslog.Warnings, w => w.Path == PathKey);
        var file = Load(Hooks("""{ "path": "/somewhere/else" }"""));
        Assert.Contains(file.Warnings, w => w.Path == PathKey);
    }
}
