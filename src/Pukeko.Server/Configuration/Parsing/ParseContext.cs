using System.Globalization;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// State shared by all section parsers of one load: the environment, and the error and warning lists. Parsers report
/// problems here and carry on, so one load reports every problem at once instead of stopping at the first.
/// </summary>
internal sealed class ParseContext(ConfigEnvironment environment)
{
    /// <summary>Message for keys Kea accepts that Pukeko does not act on yet.</summary>
    public const string NotImplementedMessage = "not implemented yet; ignored";

    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigWarning> _warnings = [];

    public ConfigEnvironment Environment { get; } = environment;

    /// <summary>Standard plus <c>option-def</c> definitions; filled before any <c>option-data</c> is read.</summary>
    public Pukeko.Protocol.Options.Definitions.OptionDefinitionSet Definitions { get; } = new();

    public IReadOnlyList<ConfigError> Errors => _errors;

    public IReadOnlyList<ConfigWarning> Warnings => _warnings;

    public void Error(string path, string message) => _errors.Add(new ConfigError(path, message));

    public void Warn(string path, string message) => _warnings.Add(new ConfigWarning(path, message));

    /// <summary>A warning Kea logs under a message id of its own (e.g. a path security warning).</summary>
    public void Warn(string path, string message, string messageId) => _warnings.Add(new ConfigWarning(path, message, messageId));

    /// <summary>
    /// The configuration uses the <c>control-sockets</c> list, which only Kea 3.x writes (Kea 2.x knew the single
    /// <c>control-socket</c> map): Kea 3.x's path rules apply to it in full (<see cref="PermittedDirectory"/>).
    /// </summary>
    public bool WrittenForKea3 { get; set; }

    /// <summary>
    /// <c>ip-reservations-unique</c> (default true): whether a reservations list may reserve an address or prefix
    /// for one host only. Read before the walk, since reservations may come before it in the map.
    /// </summary>
    public bool IpReservationsUnique { get; set; } = true;

    public static string Child(string path, string key) => $"{path}/{key}";

    /// <summary>A <c>user-context</c> map's JSON text; null for anything else (accepted and ignored, as before it was kept).</summary>
    public static string? UserContextText(JsonElement value) => value.ValueKind == JsonValueKind.Object ? value.GetRawText() : null;

    public static string Item(string path, int index) => $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>How JSON kinds are named in messages (Kea's element type names).</summary>
    public static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "map",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    public bool ExpectKind(JsonElement value, string path, JsonValueKind kind)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Error(path, $"expected a {KindName(kind)}, got {KindName(value.ValueKind)} {Show(value)}");
        return false;
    }

    public bool TryString(JsonElement value, string path, out string result)
    {
        result = "";
        if (!ExpectKind(value, path, JsonValueKind.String))
        {
            return false;
        }

        result = value.GetString() ?? "";
        return true;
    }

    /// <summary>
    /// Reads a string naming one of <paramref name="choices"/> (e.g. a mode keyword) as its value; any other string is
    /// an error with the text <paramref name="unknown"/> makes of it, so each key keeps Kea's own wording.
    /// </summary>
    public bool TryChoice<T>(JsonElement value, string path, IReadOnlyList<(string Name, T Value)> choices, Func<string, string> unknown, out T result)
    {
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(unknown);
        result = default!;
        if (!TryString(value, path, out var text))
        {
            return false;
        }

        foreach (var (name, choice) in choices)
        {
            if (name == text)
            {
                result = choice;
                return true;
            }
        }

        Error(path, unknown(text));
        return false;
    }

    public bool TryBool(JsonElement value, string path, out bool result)
    {
        result = false;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            result = value.GetBoolean();
            return true;
        }

        Error(path, $"expected a boolean, got {KindName(value.ValueKind)} {Show(value)}");
        return false;
    }

    /// <summary>Reads an integer and checks it lies in [min, max]; the message names the range.</summary>
    public bool TryInteger(JsonElement value, string path, long min, long max, out long result)
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number)
        {
            Error(path, $"expected an integer, got {KindName(value.ValueKind)} {Show(value)}");
            return false;
        }

        if (!value.TryGetInt64(out result))
        {
            // Either a fraction or beyond 64 bits; both are out of any range we accept.
            var isFraction = value.TryGetDouble(out var d) && Math.Abs(d) < 9e18 && d != Math.Floor(d);
            Error(path, isFraction
                ? $"expected an integer, got {value.GetRawText()}"
                : $"value {value.GetRawText()} is out of range {min}..{max}");
            return false;
        }

        if (result < min || result > max)
        {
            Error(path, $"value {result} is out of range {min}..{max}");
            return false;
        }

        return true;
    }

    public bool TryUInt32(JsonElement value, string path, out uint result)
    {
        result = 0;
        if (!TryInteger(value, path, 0, uint.MaxValue, out var v))
        {
            return false;
        }

        result = (uint)v;
        return true;
    }

    public bool TryDouble(JsonElement value, string path, out double result)
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out result))
        {
            Error(path, $"expected a number, got {KindName(value.ValueKind)} {Show(value)}");
            return false;
        }

        return true;
    }

    /// <summary>Iterates a list, reporting a type error when the value is not one.</summary>
    public IEnumerable<(JsonElement Item, string Path)> Items(JsonElement value, string path)
    {
        if (!ExpectKind(value, path, JsonValueKind.Array))
        {
            yield break;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            yield return (item, Item(path, i));
            i++;
        }
    }

    /// <summary>A short rendering of a value for messages.</summary>
    public static string Show(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{...}",
        JsonValueKind.Array => "[...]",
        _ => Truncate(value.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
