using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl;

/// <summary>Turns an answer into readable text and the process exit status.</summary>
internal static class AnswerPrinter
{
    public const int UsageExit = 64;
    public const int UnreachableExit = 69;
    public const int BadAnswerExit = 76;

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Pretty text and exit status; an HTTP answer's one-element list is unwrapped.</summary>
    public static (string Text, int ExitCode) Format(string answer, bool raw)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(answer);
        }
        catch (JsonException)
        {
            return (answer, BadAnswerExit);
        }

        if (node is JsonArray { Count: 1 } list)
        {
            node = list[0];
        }

        var result = node is JsonObject map && map["result"] is JsonValue value && value.TryGetValue<int>(out var r) ? r : -1;
        var exit = result switch
        {
            >= 0 and < 64 => result,
            -1 => BadAnswerExit,
            _ => 1, // HTTP 401/403 carry the status code as result
        };
        return (raw ? answer : node!.ToJsonString(Pretty), exit);
    }
}
