using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Server.Logging;

/// <summary>
/// Masks secrets before configuration text reaches a log: the value of every key ending in <c>password</c> or
/// <c>secret</c> (lease-database passwords, basic-authentication passwords, TSIG secrets in hook parameters) becomes
/// <c>*****</c>, as Kea's redactor does. <c>user-context</c> is left as written, also as Kea does.
/// </summary>
internal static class SecretRedactor
{
    public const string Mask = "*****";

    private const int MaxDepth = 64;

    /// <summary>A redacted copy; the input is not changed.</summary>
    public static JsonNode? Redact(JsonNode? node)
    {
        var copy = node?.DeepClone();
        RedactInPlace(copy, MaxDepth);
        return copy;
    }

    /// <summary>A redacted copy of a parsed configuration, as JSON text ready for a log line.</summary>
    public static string RedactToString(JsonElement element)
    {
        var node = JsonNode.Parse(element.GetRawText(), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        RedactInPlace(node, MaxDepth);
        return node?.ToJsonString() ?? "null";
    }

    /// <summary>True for a key whose value must never be logged.</summary>
    public static bool IsSecretKey(string key) =>
        key.EndsWith("password", StringComparison.Ordinal) || key.EndsWith("secret", StringComparison.Ordinal);

    private static void RedactInPlace(JsonNode? node, int depth)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var key in map.Select(p => p.Key).ToList())
                {
                    if (IsSecretKey(key) || (depth == 0 && map[key] is JsonObject or JsonArray))
                    {
                        // Deeper than any real configuration: masked rather than risk leaking it.
                        map[key] = Mask;
                    }
                    else if (key != "user-context")
                    {
                        RedactInPlace(map[key], depth - 1);
                    }
                }

                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (depth == 0 && list[i] is JsonObject or JsonArray)
                    {
                        list[i] = Mask;
                    }
                    else
                    {
                        RedactInPlace(list[i], depth - 1);
                    }
                }

                break;
        }
    }
}
