using System.Text;
using System.Text.Json;
using Pukeko.Server.Configuration.Parsing;

namespace Pukeko.Server.Configuration;

/// <summary>
/// Reads a Kea <c>kea-dhcp6</c> configuration file into a <see cref="DhcpConfig"/>. Never throws for bad input:
/// every problem found is returned in <see cref="ConfigLoadResult.Errors"/> with its JSON path.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>Label used in syntax-error locations for configuration given as text.</summary>
    public const string TextLabel = "<text>";

    /// <summary>How configuration JSON is read; anything re-reading a loaded configuration's text must use the same.</summary>
    internal static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow, // comments are removed by the preprocessor
        AllowTrailingCommas = true,
        MaxDepth = 128,
    };

    /// <summary>Reads the file (comments, includes relative to its directory) and validates it.</summary>
    public static ConfigLoadResult LoadFile(string path, ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            var (text, map) = ConfigPreprocessor.ProcessFile(path);
            return Load(text, map, environment);
        }
        catch (ConfigPreprocessException ex)
        {
            return Failed(ex.Location, ex.Message);
        }
    }

    /// <summary>Parses configuration text; includes are resolved against <paramref name="baseDirectory"/> (or the current directory).</summary>
    public static ConfigLoadResult LoadText(string text, string? baseDirectory, ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            var (processed, map) = ConfigPreprocessor.ProcessText(text, TextLabel, baseDirectory ?? Directory.GetCurrentDirectory());
            return Load(processed, map, environment);
        }
        catch (ConfigPreprocessException ex)
        {
            return Failed(ex.Location, ex.Message);
        }
    }

    private static ConfigLoadResult Load(string text, SourceMap map, ConfigEnvironment environment)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, JsonOptions);
        }
        catch (JsonException ex)
        {
            var (file, line, column) = map.Locate(OffsetOf(text, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
            return Failed($"{file}:{line}:{column}", $"JSON syntax error: {StripPosition(ex.Message)}");
        }

        using (document)
        {
            var context = new ParseContext(environment);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                context.Error("", $"the configuration must be a map containing \"Dhcp6\", got a {ParseContext.KindName(root.ValueKind)}");
                return Result(null, context);
            }

            JsonElement? dhcp6 = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    context.Error(property.Name, $"duplicate key '{property.Name}'");
                }
                else if (property.Name == "Dhcp6")
                {
                    dhcp6 = property.Value;
                }
                else if (Array.IndexOf(KeaKeys.OtherTopLevel, property.Name) >= 0)
                {
                    context.Warn(property.Name, "configuration for another Kea daemon; ignored");
                }
                else
                {
                    context.Error(property.Name, $"unknown top-level object '{property.Name}' (expected Dhcp6)");
                }
            }

            if (dhcp6 is not { } dhcp6Map)
            {
                context.Error("Dhcp6", "missing mandatory 'Dhcp6' map");
                return Result(null, context);
            }

            var draft = Dhcp6Parser.Parse(dhcp6Map, context);
            var config = dhcp6Map.ValueKind == JsonValueKind.Object
                ? ConfigResolver.Resolve(draft, root, context)
                : null;
            if (config is not null)
            {
                BuiltIn.BuiltInLibraries.CheckConfiguration(config, context.Error);
            }

            return Result(config, context, draft.Loggers);
        }
    }

    private static ConfigLoadResult Result(DhcpConfig? config, ParseContext context, IReadOnlyList<LoggerConfig>? loggers = null) => new()
    {
        Loggers = loggers ?? [],
        Config = context.Errors.Count == 0 ? config : null,
        Errors = [.. context.Errors],
        Warnings = [.. context.Warnings],
    };

    private static ConfigLoadResult Failed(string path, string message) => new()
    {
        Errors = [new ConfigError(path, message)],
    };

    /// <summary>Character offset of a (0-based line, 0-based UTF-8 byte column) position reported by the JSON reader.</summary>
    private static int OffsetOf(string text, long line, long bytePosition)
    {
        var offset = 0;
        for (var l = 0L; l < line && offset < text.Length; l++)
        {
            var newline = text.IndexOf('\n', offset);
            if (newline < 0)
            {
                return text.Length;
            }

            offset = newline + 1;
        }

        var bytes = 0L;
        while (offset < text.Length && bytes < bytePosition && text[offset] != '\n')
        {
            bytes += char.IsSurrogate(text[offset]) ? 2 : Encoding.UTF8.GetByteCount(text.AsSpan(offset, 1));
            offset++;
        }

        return offset;
    }

    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }
}
