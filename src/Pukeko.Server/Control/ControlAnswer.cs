using System.Text.Json.Nodes;

namespace Pukeko.Server.Control;

/// <summary>Builds and reads Kea answers: <c>{"result": N, "text": "...", "arguments": ...}</c>.</summary>
internal static class ControlAnswer
{
    public static JsonObject Create(int result, string? text = null, JsonNode? arguments = null)
    {
        var answer = new JsonObject { ["result"] = result };
        if (text is not null)
        {
            answer["text"] = text;
        }

        if (arguments is not null)
        {
            answer["arguments"] = arguments;
        }

        return answer;
    }

    public static JsonObject Success(string text, JsonNode? arguments = null) => Create(ControlResult.Success, text, arguments);

    public static JsonObject Error(string text) => Create(ControlResult.Error, text);

    public static JsonObject Empty(string text, JsonNode? arguments = null) => Create(ControlResult.Empty, text, arguments);

    /// <summary>The result code of an answer; <see cref="ControlResult.Error"/> when missing or malformed.</summary>
    public static int ResultOf(JsonObject answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer["result"] is JsonValue value && value.TryGetValue<int>(out var result) ? result : ControlResult.Error;
    }
}
