using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>loggers</c> with their <c>output-options</c> (or the older spelling <c>output_options</c>).</summary>
internal static class LoggersParser
{
    private static readonly string[] Severities = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"];

    private static readonly KeyTable<StrongBox<LoggerConfig>> LoggerKeys = new KeyTable<StrongBox<LoggerConfig>>("loggers")
        .On("name", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Value = d.Value! with { Name = s };
            }
        })
        .On("output-options", ParseOutputs)
        .On("output_options", ParseOutputs)
        .On("severity", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            // Kea's severity lookup is case-insensitive; keep the canonical upper-case form.
            var upper = s.Trim().ToUpperInvariant();
            if (Array.IndexOf(Severities, upper) >= 0)
            {
                d.Value = d.Value! with { Severity = upper };
            }
            else
            {
                c.Error(p, $"invalid severity '{s}' (expected one of {string.Join(", ", Severities)})");
            }
        })
        .On("debuglevel", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, 99, out var x))
            {
                d.Value = d.Value! with { DebugLevel = (int)x };
            }
        });

    private static readonly KeyTable<StrongBox<LoggerOutputConfig>> OutputKeys = new KeyTable<StrongBox<LoggerOutputConfig>>("output-options")
        .On("output", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                if (s.Trim().Length == 0)
                {
                    c.Error(p, "logger output must not be empty");
                }
                else if (ResolveOutput(s.Trim(), p, c) is { } output)
                {
                    d.Value = d.Value! with { Output = output };
                }
            }
        })
        .On("flush", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Value = d.Value! with { Flush = b };
            }
        })
        .On("maxsize", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, long.MaxValue, out var x))
            {
                d.Value = d.Value! with { MaxSize = x };
            }
        })
        .On("maxver", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, int.MaxValue, out var x))
            {
                d.Value = d.Value! with { MaxVer = (int)x };
            }
        })
        .On("pattern", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Value = d.Value! with { Pattern = s };
            }
        });

    public static void ParseList(GlobalDraft draft, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            var box = new StrongBox<LoggerConfig>(new LoggerConfig("", []));
            var errorsBefore = context.Errors.Count;
            if (!LoggerKeys.Walk(item, itemPath, box, context))
            {
                continue;
            }

            if (!item.TryGetProperty("name", out _))
            {
                context.Error(itemPath, "missing mandatory parameter 'name'");
                continue;
            }

            if (context.Errors.Count == errorsBefore)
            {
                var logger = box.Value!;
                // A logger without outputs writes to stdout, as in Kea.
                draft.Loggers.Add(logger.Outputs.Count == 0 ? logger with { Outputs = [new LoggerOutputConfig("stdout")] } : logger);
            }
        }
    }

    private static void ParseOutputs(StrongBox<LoggerConfig> logger, JsonElement value, string path, ParseContext context)
    {
        var outputs = new List<LoggerOutputConfig>(logger.Value!.Outputs);
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            var box = new StrongBox<LoggerOutputConfig>(new LoggerOutputConfig(""));
            if (!OutputKeys.Walk(item, itemPath, box, context))
            {
                continue;
            }

            if (!item.TryGetProperty("output", out _))
            {
                context.Error(itemPath, "missing mandatory parameter 'output'");
                continue;
            }

            outputs.Add(box.Value!);
        }

        logger.Value = logger.Value with { Outputs = outputs };
    }

    /// <summary>
    /// A log file lives in the log directory (KEA_LOG_FILE_DIR) under Kea 3.x's rule; the special targets stay as they
    /// are. Null when the file is refused.
    /// </summary>
    private static string? ResolveOutput(string output, string path, ParseContext context)
    {
        if (output is "stdout" or "stderr" || output == "syslog" || output.StartsWith("syslog:", StringComparison.Ordinal))
        {
            return output;
        }

        return PermittedDirectory.LogFile.Resolve(output, context.Environment.LogDirectory, path, context);
    }
}
