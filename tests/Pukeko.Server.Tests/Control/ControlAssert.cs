using System.Text.Json.Nodes;

namespace Pukeko.Server.Tests.Control;

internal static class ControlAssert
{
    public static JsonObject Result(JsonObject answer, int expected, string? text = null)
    {
        Assert.True(answer["result"]!.GetValue<int>() == expected, $"expected result {expected}: {answer.ToJsonString()}");
        if (text is not null)
        {
            Assert.Equal(text, answer["text"]?.GetValue<string>());
        }

        return answer;
    }

    public static JsonObject Args(JsonObject answer) => (JsonObject)answer["arguments"]!;

    public static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : File.GetUnixFileMode(path);
}
