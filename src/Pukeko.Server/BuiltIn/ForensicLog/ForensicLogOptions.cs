using System.Globalization;
using System.Text.Json;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Logging;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>How often the forensic log starts a new file.</summary>
internal enum ForensicTimeUnit
{
    Second,
    Day,
    Month,
    Year,
}

/// <summary>Where the forensic log goes (Kea's <c>type</c> parameter).</summary>
internal enum ForensicLogType
{
    /// <summary><c>logfile</c> (the default): rotating files.</summary>
    LogFile,

    /// <summary><c>syslog</c>: one system log message per entry.</summary>
    Syslog,

    /// <summary><c>postgresql</c>: one row per entry in Kea's <c>logs</c> table.</summary>
    PostgreSql,
}

/// <summary>
/// The <c>parameters</c> of Kea's forensic logging library (<c>libdhcp_legal_log.so</c>, <c>libdhcp_forensic_log.so</c>),
/// parsed and checked. The file, syslog and PostgreSQL backends are served; MySQL is refused.
/// </summary>
internal sealed record ForensicLogOptions
{
    /// <summary>Kea's default file name prefix.</summary>
    public const string DefaultBaseName = "kea-legal";

    /// <summary>Kea's default line timestamp (strftime, plus <c>%Q</c> for milliseconds.microseconds).</summary>
    public const string DefaultTimestampFormat = "%Y-%m-%d %H:%M:%S %Z";

    /// <summary>Kea's default syslog facility for the forensic log.</summary>
    public const string DefaultFacility = "local0";

    public ForensicLogType Type { get; init; } = ForensicLogType.LogFile;

    /// <summary><c>facility</c> of the syslog backend (a syslog facility name, any case).</summary>
    public string Facility { get; init; } = DefaultFacility;

    /// <summary><c>pattern</c> of the syslog backend (Kea's logging layout); null for Kea's syslog default.</summary>
    public string? Pattern { get; init; }

    /// <summary>The database of the PostgreSQL backend, in Kea's database keys; null for the other types.</summary>
    public SqlDatabaseAccess? Database { get; init; }

    /// <summary>Directory the files are written in (absolute).</summary>
    public required string Directory { get; init; }

    public string BaseName { get; init; } = DefaultBaseName;

    public ForensicTimeUnit TimeUnit { get; init; } = ForensicTimeUnit.Day;

    /// <summary>Time units per file; 0 never rotates.</summary>
    public uint Count { get; init; } = 1;

    /// <summary>Program started (not waited for) with the name of the file about to be closed by a rotation.</summary>
    public string? Prerotate { get; init; }

    /// <summary>Program started (not waited for) with the name of the file a rotation opened.</summary>
    public string? Postrotate { get; init; }

    public string TimestampFormat { get; init; } = DefaultTimestampFormat;

    /// <summary>Kea 3.3: lines of a multi-line entry other than its last get '-' after the timestamp instead of ' '.</summary>
    public bool MarkContinuationLines { get; init; } = true;

    /// <summary><c>request-parser-format</c>, evaluated on the query; null when not configured.</summary>
    public ExpressionNode? RequestFormat { get; init; }

    /// <summary><c>response-parser-format</c>, evaluated on the response; null when not configured.</summary>
    public ExpressionNode? ResponseFormat { get; init; }

    /// <summary>True when either custom format is set (the default entry text is then not used).</summary>
    public bool HasCustomFormat => RequestFormat is not null || ResponseFormat is not null;

    /// <summary>
    /// Reads <paramref name="parameters"/> (null when the entry has none). Problems go to <paramref name="error"/> with
    /// the JSON path of the value (<paramref name="path"/> is the path of <c>parameters</c> itself); null is returned
    /// when there was any. A relative <c>path</c> and an absent one are taken from <paramref name="defaultDirectory"/>.
    /// Only the keys of the chosen type are read (a database key with the file type is ignored), and unknown keys are ignored, as Kea does.
    /// </summary>
    public static ForensicLogOptions? Parse(JsonElement? parameters, string path, string defaultDirectory, Action<string, string> error, Pukeko.Protocol.Options.Definitions.OptionDefinitionSet? definitions = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var options = new ForensicLogOptions { Directory = Path.GetFullPath(defaultDirectory) };
        if (parameters is not { } map || map.ValueKind == JsonValueKind.Null)
        {
            return options;
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            error(path, "the forensic log library's parameters must be a map");
            return null;
        }

        var ok = true;
        void Fail(string key, string message)
        {
            error($"{path}/{key}", message);
            ok = false;
        }

        string? Text(string key)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Fail(key, $"'{key}' must be a string");
                return null;
            }

            return value.GetString();
        }

        switch (Text("type"))
        {
            case null or "logfile":
                break;
            case "syslog":
                options = options with { Type = ForensicLogType.Syslog };
                break;
            case "postgresql":
                options = options with { Type = ForensicLogType.PostgreSql };
                break;
            case "mysql":
                Fail("type", "the forensic log type 'mysql' is not supported: Pukeko has no MySQL backend (use 'logfile', 'syslog' or 'postgresql')");
                break;
            case var other:
                Fail("type", $"unknown forensic log type '{other}', expected 'logfile', 'syslog' or 'postgresql'");
                break;
        }

        // As in Kea, only the keys of the chosen backend are read; the others are ignored.
        switch (options.Type)
        {
            case ForensicLogType.Syslog:
                if (Text("facility") is { } facility)
                {
                    if (SyslogSink.IsKnownFacility(facility))
                    {
                        options = options with { Facility = facility.ToLowerInvariant() };
                    }
                    else
                    {
                        Fail("facility", $"unknown syslog facility '{facility}' (expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp or local0 to local7)");
                    }
                }

                if (Text("pattern") is { Length: > 0 } pattern)
                {
                    options = options with { Pattern = pattern };
                }

                return ParseExtra(map, options, Text, Fail, definitions) is { } syslog && ok ? syslog : null;
            case ForensicLogType.PostgreSql:
                options = options with { Database = ParseDatabase(map, Text, Fail) };
                return ParseExtra(map, options, Text, Fail, definitions) is { } database && ok ? database : null;
        }

        if (Text("path") is { } directory)
        {
            if (directory.Length == 0)
            {
                Fail("path", "path cannot be blank");
            }
            else
            {
                options = options with { Directory = Path.GetFullPath(Path.Combine(defaultDirectory, directory)) };
            }
        }

        if (Text("base-name") is { } baseName)
        {
            if (baseName.Length == 0)
            {
                Fail("base-name", "file name cannot be blank");
            }
            else if (baseName.Contains('/', StringComparison.Ordinal))
            {
                Fail("base-name", $"base-name '{baseName}' must be a file name, not a path (the directory is 'path')");
            }
            else
            {
                options = options with { BaseName = baseName };
            }
        }

        if (Text("time-unit") is { } unit)
        {
            ForensicTimeUnit? parsed = unit switch
            {
                "second" => ForensicTimeUnit.Second,
                "day" => ForensicTimeUnit.Day,
                "month" => ForensicTimeUnit.Month,
                "year" => ForensicTimeUnit.Year,
                _ => null,
            };
            if (parsed is { } known)
            {
                options = options with { TimeUnit = known };
            }
            else
            {
                Fail("time-unit", $"unknown time unit type: {unit}, expected one of: second, day, month, year");
            }
        }

        if (map.TryGetProperty("count", out var count))
        {
            if (count.ValueKind != JsonValueKind.Number || !count.TryGetInt64(out var value))
            {
                Fail("count", "'count' must be an integer");
            }
            else if (value is < 0 or > uint.MaxValue)
            {
                Fail("count", string.Create(CultureInfo.InvariantCulture, $"count value: {value} is out of range, expected value: 0..{uint.MaxValue}"));
            }
            else
            {
                options = options with { Count = (uint)value };
            }
        }

        foreach (var key in (string[])["prerotate", "postrotate"])
        {
            if (Text(key) is not { Length: > 0 } script)
            {
                continue;
            }

            if (!Path.IsPathFullyQualified(script) || !File.Exists(script))
            {
                Fail(key, $"Invalid '{key}' parameter: '{script}' is not an executable file (an absolute path is needed)");
            }
            else if (OperatingSystem.IsLinux() && (File.GetUnixFileMode(script) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            {
                Fail(key, $"Invalid '{key}' parameter: '{script}' is not executable");
            }
            else
            {
                options = key == "prerotate" ? options with { Prerotate = script } : options with { Postrotate = script };
            }
        }

        options = ParseExtra(map, options, Text, Fail, definitions) ?? options;
        return ok ? options : null;
    }

    /// <summary>The keys every backend reads: the timestamp format and the custom entry formats.</summary>
    private static ForensicLogOptions? ParseExtra(
        JsonElement map, ForensicLogOptions options, Func<string, string?> readText, Action<string, string> fail, Pukeko.Protocol.Options.Definitions.OptionDefinitionSet? definitions)
    {
        var ok = true;
        void Fail(string key, string message)
        {
            fail(key, message);
            ok = false;
        }

        string? Text(string key) => readText(key);

        if (Text("timestamp-format") is { Length: > 0 } timestampFormat)
        {
            options = options with { TimestampFormat = timestampFormat };
        }

        if (map.TryGetProperty("mark-continuation-lines", out var mark))
        {
            if (mark.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                options = options with { MarkContinuationLines = mark.GetBoolean() };
            }
            else
            {
                Fail("mark-continuation-lines", "'mark-continuation-lines' must be a boolean");
            }
        }

        ExpressionNode? Expression(string key)
        {
            if (Text(key) is not { Length: > 0 } text)
            {
                return null;
            }

            try
            {
                return ExpressionParser.ParseString(text, optionCodeByName: null, definitions);
            }
            catch (ExpressionSyntaxException ex)
            {
                Fail(key, $"'{key}' is not a valid string expression: {ex.Describe(text)}");
                return null;
            }
        }

        options = options with { RequestFormat = Expression("request-parser-format"), ResponseFormat = Expression("response-parser-format") };
        return ok ? options : null;
    }

    /// <summary>
    /// Kea 3.0's database keys of the forensic log (<c>LegalLogMgr::parseDatabase</c>): name, host, port, user, password,
    /// the TLS files, the timeouts, the reconnection keys, <c>on-fail</c> and <c>retry-on-startup</c>. Keys that only the
    /// MySQL backend uses (<c>read-timeout</c>, <c>write-timeout</c>, <c>tcp-nodelay</c>) and <c>cipher-list</c> and
    /// <c>tcp-user-timeout</c> are checked and not used.
    /// </summary>
    private static SqlDatabaseAccess? ParseDatabase(JsonElement map, Func<string, string?> text, Action<string, string> fail)
    {
        var ok = true;
        void Fail(string key, string message)
        {
            fail(key, message);
            ok = false;
        }

        // Kea's legal log defaults to serve-retry-continue: losing the log never stops the service.
        var access = SqlDatabaseAccess.Default with { OnFail = DatabaseOnFail.ServeRetryContinue };
        if (text("name") is { } name)
        {
            access = access with { Name = name };
        }

        if (access.Name.Trim().Length == 0)
        {
            Fail("name", "missing mandatory parameter 'name' (the PostgreSQL database of the forensic log)");
        }

        if (text("host") is { } host)
        {
            access = access with { Host = host };
        }

        if (text("user") is { } user)
        {
            access = access with { User = user };
        }

        if (text("password") is { } password)
        {
            access = access with { Password = password };
        }

        string? TlsText(string key) => text(key) is { Length: > 0 } value ? value : null;
        access = access with
        {
            Tls = access.Tls with { TrustAnchor = TlsText("trust-anchor"), CertFile = TlsText("cert-file"), KeyFile = TlsText("key-file"), CipherList = TlsText("cipher-list") },
        };

        long? Integer(string key, long max)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            {
                Fail(key, $"'{key}' must be an integer");
                return null;
            }

            if (number < 0 || number > max)
            {
                Fail(key, string.Create(CultureInfo.InvariantCulture, $"{key} value: {number} is out of range, expected value: 0..{max}"));
                return null;
            }

            return number;
        }

        if (Integer("port", ushort.MaxValue) is { } port)
        {
            // 0 is libpq's default port, as in Kea.
            access = access with { Port = port == 0 ? SqlDatabaseAccess.Default.Port : (int)port };
        }

        if (Integer("connect-timeout", uint.MaxValue) is { } connectTimeout)
        {
            access = access with { ConnectTimeout = (uint)connectTimeout };
        }

        if (Integer("reconnect-wait-time", uint.MaxValue) is { } wait)
        {
            access = access with { ReconnectWaitTime = (uint)wait };
        }

        if (Integer("max-reconnect-tries", uint.MaxValue) is { } tries)
        {
            access = access with { MaxReconnectTries = (uint)tries };
        }

        foreach (var key in (ReadOnlySpan<string>)["read-timeout", "write-timeout", "tcp-user-timeout"])
        {
            _ = Integer(key, uint.MaxValue);
        }

        bool? Boolean(string key)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return null;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Fail(key, $"'{key}' must be a boolean");
                return null;
            }

            return value.GetBoolean();
        }

        _ = Boolean("tcp-nodelay");
        if (Boolean("retry-on-startup") is { } retry)
        {
            access = access with { RetryOnStartup = retry };
        }

        switch (text("on-fail"))
        {
            case null:
                break;
            case "stop-retry-exit":
                access = access with { OnFail = DatabaseOnFail.StopRetryExit };
                break;
            case "serve-retry-exit":
                access = access with { OnFail = DatabaseOnFail.ServeRetryExit };
                break;
            case "serve-retry-continue":
                access = access with { OnFail = DatabaseOnFail.ServeRetryContinue };
                break;
            case var other:
                Fail("on-fail", $"unsupported value '{other}' (expected stop-retry-exit, serve-retry-exit or serve-retry-continue)");
                break;
        }

        return ok ? access : null;
    }
}
