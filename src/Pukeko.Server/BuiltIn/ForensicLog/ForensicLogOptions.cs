using System.Globalization;
using System.Text.Json;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>How often the forensic log starts a new file.</summary>
internal enum ForensicTimeUnit
{
    Second,
    Day,
    Month,
    Year,
}

/// <summary>
/// The <c>parameters</c> of Kea's forensic logging library (<c>libdhcp_legal_log.so</c>, <c>libdhcp_forensic_log.so</c>),
/// parsed and checked. Only the file backend exists here; the database and syslog backends are refused.
/// </summary>
internal sealed record ForensicLogOptions
{
    /// <summary>Kea's default file name prefix.</summary>
    public const string DefaultBaseName = "kea-legal";

    /// <summary>Kea's default line timestamp (strftime, plus <c>%Q</c> for milliseconds.microseconds).</summary>
    public const string DefaultTimestampFormat = "%Y-%m-%d %H:%M:%S %Z";

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
    /// Keys of the database backends and unknown keys are ignored, as Kea does.
    /// </summary>
    public static ForensicLogOptions? Parse(JsonElement? parameters, string path, string defaultDirectory, Action<string, string> error)
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
            case "syslog" or "mysql" or "postgresql":
                Fail("type", $"the forensic log type '{map.GetProperty("type").GetString()}' is not available in Pukeko, which writes the forensic log to files only (type 'logfile')");
                break;
            case var other:
                Fail("type", $"unknown forensic log type '{other}', expected 'logfile'");
                break;
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
                return ExpressionParser.ParseString(text, ClassExpression.StandardOptionCode);
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
}
