using System.Text;
using Pukeko.Server.Control;

namespace Pukeko.Server.Tests.Control;

public sealed class JsonFeedTests
{
    [Fact]
    public void Completes_only_when_the_outer_map_closes_even_when_fed_byte_by_byte()
    {
        var text = """{"command": "x", "arguments": {"a": [1, {"b": 2}]}}""";
        var feed = new JsonFeed();
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            feed.Feed(bytes.AsSpan(i, 1));
            Assert.False(feed.IsComplete);
        }

        feed.Feed(bytes.AsSpan(bytes.Length - 1));
        Assert.True(feed.IsComplete);
        Assert.Equal(text, Encoding.UTF8.GetString(feed.Message));
    }

    [Fact]
    public void Braces_inside_strings_and_comments_do_not_count()
    {
        var text = "# leading comment {\n{\"command\": \"a}b\\\"}\", // }}}\n /* { */ \"arguments\": {}}";
        var feed = new JsonFeed();
        var used = feed.Feed(Encoding.UTF8.GetBytes(text + "trailing"));
        Assert.True(feed.IsComplete);
        Assert.Equal(text.Length, used);
        var node = CommandJson.Parse(feed.Message);
        Assert.Equal("a}b\"}", node!["command"]!.GetValue<string>());
    }

    [Fact]
    public void Rejects_input_that_does_not_start_a_map()
    {
        var feed = new JsonFeed();
        feed.Feed("  [1]"u8);
        Assert.False(feed.IsComplete);
        Assert.Contains("expected '{'", feed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_command_longer_than_the_limit()
    {
        var feed = new JsonFeed(maxBytes: 16);
        feed.Feed(Encoding.UTF8.GetBytes("{\"command\": \"" + new string('x', 100)));
        Assert.NotNull(feed.Error);
    }

    [Fact]
    public void Multibyte_utf8_passes_through_unchanged()
    {
        var text = "{\"command\": \"ü→{\"}";
        var feed = new JsonFeed();
        feed.Feed(Encoding.UTF8.GetBytes(text));
        Assert.True(feed.IsComplete);
        Assert.Equal("ü→{", CommandJson.Parse(feed.Message)!["command"]!.GetValue<string>());
    }
}
