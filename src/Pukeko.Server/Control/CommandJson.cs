using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Pukeko.Server.Control;

/// <summary>
/// Kea's command text: JSON with <c>#</c>, <c>//</c> and <c>/* */</c> comments. Comments are blanked outside
/// strings, then System.Text.Json parses what remains.
/// </summary>
internal static class CommandJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 128, AllowTrailingCommas = false };

    /// <exception cref="JsonException">The text is not JSON, or not valid UTF-8.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        // JsonNode.Parse checks structure only; an invalid UTF-8 sequence inside a string or key surfaces later, as an
        // InvalidOperationException from whichever code first reads that string (found by fuzzing: it escaped the
        // dispatcher and the socket handler dropped the connection without an answer). Refuse it here, as bad JSON.
        if (!Utf8.IsValid(utf8))
        {
            throw new JsonException("the command is not valid UTF-8 text");
        }

        var cleaned = StripComments(utf8);
        using var document = JsonDocument.Parse(cleaned, Options);
        return ToNode(document.RootElement);
    }

    /// <summary>
    /// Builds the node tree so that a repeated key keeps its last value, as Kea's maps do (<c>Element::set</c>
    /// overwrites). <c>JsonNode.Parse</c> accepts repeated keys too but throws an ArgumentException at the first
    /// read of the map (found by fuzzing), which escaped the dispatcher as an exception instead of an answer.
    /// </summary>
    /// <exception cref="JsonException">A key or string holds a lone UTF-16 surrogate escape such as <c>\ud800</c>.</exception>
    internal static JsonNode? ToNode(JsonElement element)
    {
        try
        {
            return Convert(element);
        }
        catch (InvalidOperationException ex)
        {
            // Valid JSON syntax, but no .NET string can hold it (found by fuzzing): answer it as a JSON error.
            throw new JsonException($"invalid string: {ex.Message}", ex);
        }
    }

    private static JsonNode? Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    map[property.Name] = Convert(property.Value);
                }

                return map;
            case JsonValueKind.Array:
                var list = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(Convert(item));
                }

                return list;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                // Decoded now, so a string that cannot be decoded is a parse error rather than a later surprise.
                return JsonValue.Create(element.GetString());
            default:
                // Cloned: the value must outlive the document, which goes back to its pool on return.
                return JsonValue.Create(element.Clone());
        }
    }

    public static JsonNode? Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    /// <summary>A copy with every comment replaced by spaces (newlines kept, so positions in errors stay meaningful).</summary>
    public static byte[] StripComments(ReadOnlySpan<byte> utf8)
    {
        var output = utf8.ToArray();
        var state = JsonScanState.Normal;
        for (var i = 0; i < output.Length; i++)
        {
            var b = output[i];
            switch (state)
            {
                case JsonScanState.Normal:
                    if (b == (byte)'"')
                    {
                        state = JsonScanState.String;
                    }
                    else if (b == (byte)'#')
                    {
                        state = JsonScanState.LineComment;
                        output[i] = (byte)' ';
                    }
                    else if (b == (byte)'/' && i + 1 < output.Length && output[i + 1] == (byte)'/')
                    {
                        state = JsonScanState.LineComment;
                        output[i] = (byte)' ';
                    }
                    else if (b == (byte)'/' && i + 1 < output.Length && output[i + 1] == (byte)'*')
                    {
                        state = JsonScanState.BlockComment;
                        output[i] = (byte)' ';
                        output[++i] = (byte)' ';
                    }

                    break;
                case JsonScanState.String:
                    if (b == (byte)'\\')
                    {
                        i++;
                    }
                    else if (b == (byte)'"')
                    {
                        state = JsonScanState.Normal;
                    }

                    break;
                case JsonScanState.LineComment:
                    if (b == (byte)'\n')
                    {
                        state = JsonScanState.Normal;
                    }
                    else
                    {
                        output[i] = (byte)' ';
                    }

                    break;
                case JsonScanState.BlockComment:
                    if (b == (byte)'*' && i + 1 < output.Length && output[i + 1] == (byte)'/')
                    {
                        output[i] = (byte)' ';
                        output[++i] = (byte)' ';
                        state = JsonScanState.Normal;
                    }
                    else if (b != (byte)'\n')
                    {
                        output[i] = (byte)' ';
                    }

                    break;
            }
        }

        return output;
    }

    /// <summary>
    /// Kea's wire style for answers: <c>{ "result": 0, "text": "..." }</c> — a space after every colon and comma and
    /// inside braces and brackets. Scripts written against Kea grep for <c>"result": 0</c>, so the spacing matters.
    /// </summary>
    public static string Serialize(JsonNode node, bool indented = false)
    {
        if (indented)
        {
            return node.ToJsonString(Indented);
        }

        var sb = new StringBuilder();
        WriteKeaStyle(node, sb);
        return sb.ToString();
    }

    /// <summary>
    /// A stored value (a lease's user context) as Kea's <c>Element::str()</c> writes it: map keys in order, since
    /// Kea's maps are sorted, with <see cref="Serialize"/>'s spacing.
    /// </summary>
    public static string SerializeSorted(JsonNode node) => Serialize(Sorted(node)!);

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject map => new JsonObject(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray list => new JsonArray([.. list.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };

    private static void WriteKeaStyle(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject map:
                // Empty too: Kea writes "{  }" and "[  ]".
                sb.Append("{ ");
                var first = true;
                foreach (var (key, value) in map)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    sb.Append(JsonValue.Create(key).ToJsonString(Compact)).Append(": ");
                    WriteKeaStyle(value, sb);
                }

                sb.Append(" }");
                break;
            case JsonArray list:
                sb.Append("[ ");
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    WriteKeaStyle(list[i], sb);
                }

                sb.Append(" ]");
                break;
            default:
                sb.Append(node.ToJsonString(Compact));
                break;
        }
    }

    // Kea writes quotes and non-ASCII text as they are; the default encoder would turn ' into \u0027.
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
