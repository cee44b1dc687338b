using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class PreprocessorTests
{
    [Fact]
    public void AllThreeCommentStylesAreRemoved()
    {
        const string text = """
            # hash comment
            {
              // line comment
              "Dhcp6": { /* block
                            comment over lines */
                "valid-lifetime": 4000, # trailing hash
                "renew-timer": 1000, // trailing slashes
                /* "rebind-timer": 1, */
                "subnet6": [ { "subnet": "2001:db8::/64" } ] # end
              }
            }
            """;
        var subnet = Assert.Single(LoadOk(text).Subnets);
        Assert.Equal(4000u, subnet.ValidLifetime.Default);
        Assert.Equal(1000u, subnet.RenewTimer);
        Assert.Null(subnet.RebindTimer);
    }

    [Fact]
    public void CommentMarkersInsideStringsAreData()
    {
        var config = LoadOk(Dhcp6("""
            "server-tag": "a//b#c/*d*/e \"quoted // still\"" // real comment

            """));
        Assert.Equal("a//b#c/*d*/e \"quoted // still\"", config.ServerTag);
    }

    [Theory]
    [InlineData(".4", ".7", 0.4, 0.7)]
    [InlineData("0.4", "7.e-1", 0.4, 0.7)]
    [InlineData(".4e0", ".8", 0.4, 0.8)]
    public void NumbersWithABareDecimalPointReadAsKeaReadsThem(string t1, string t2, double expectedT1, double expectedT2)
    {
        // Kea's own tee-times.json example writes "t1-percent": .5.
        var subnet = Assert.Single(LoadOk(Dhcp6($$"""
            "calculate-tee-times": true, "t1-percent": {{t1}}, "t2-percent": {{t2}},
            "subnet6": [ { "id": 1, "subnet": "2001:db8::/64" } ]
            """)).Subnets);
        Assert.Equal(expectedT1, subnet.T1Percent);
        Assert.Equal(expectedT2, subnet.T2Percent);
    }

    [Fact]
    public void ANegativeNumberWithABareDecimalPointIsANumber()
    {
        // A negative percentage is read as a number (-0.5), then refused by the range check.
        var result = Load(Dhcp6(""" "calculate-tee-times": true, "t1-percent": -.5 """));
        Assert.DoesNotContain(result.Errors, e => e.Message.StartsWith("JSON syntax error", StringComparison.Ordinal));
        AssertError(result, "Dhcp6/t1-percent", "-0.5");
    }

    [Fact]
    public void DecimalPointsInsideStringsAndCommentsAreLeftAlone()
    {
        var config = LoadOk(Dhcp6("""
            "server-tag": ".5 -.5 5. a.b" // .5 in a comment

            """));
        Assert.Equal(".5 -.5 5. a.b", config.ServerTag);
    }

    [Fact]
    public void SyntaxErrorsAfterAnInsertedZeroKeepTheirColumn()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("kea.conf", "{ \"Dhcp6\": { \"t1-percent\": .5, \"t2-percent\": 1., ,\n} }");
        var error = Assert.Single(ConfigLoader.LoadFile(file, TestEnvironment).Errors);
        Assert.Equal($"{file}:1:50", error.Path); // the stray comma, counted in the file as written
    }

    [Fact]
    public void UnterminatedBlockCommentIsAnError()
    {
        var result = Load("{ \"Dhcp6\": { } }\n/* never closed");
        Assert.False(result.Success);
        Assert.Equal("<text>:2:1", Assert.Single(result.Errors).Path);
        Assert.Contains("unterminated", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonSyntaxErrorNamesFileLineAndColumn()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("kea.conf", "// header\n{ \"Dhcp6\": {\n    \"valid-lifetime\": 4000,,\n} }");
        var result = ConfigLoader.LoadFile(file, TestEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{file}:3:28", error.Path); // the second comma
        Assert.StartsWith("JSON syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonSyntaxErrorInsideIncludedFileNamesThatFile()
    {
        using var dir = new TempDirectory();
        dir.Write("sub/part.json", "\"valid-lifetime\": 4000,\n\"renew-timer\": oops,");
        var main = dir.Write("kea.conf", "{ \"Dhcp6\": {\n<?include \"sub/part.json\"?>\n\"rebind-timer\": 2000 } }");
        var result = ConfigLoader.LoadFile(main, TestEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{Path.Combine(dir.Path, "sub", "part.json")}:2:16", error.Path);
    }

    [Fact]
    public void IncludeIsRelativeToTheIncludingFileAndMayNest()
    {
        using var dir = new TempDirectory();
        dir.Write("conf.d/subnets.json", """
            "subnet6": [ <?include "nested/one.json"?> ],
            """);
        dir.Write("conf.d/nested/one.json", """{ "id": 7, "subnet": "2001:db8:7::/64" }""");
        var main = dir.Write("etc/kea.conf", """
            { "Dhcp6": {
                <?include "../conf.d/subnets.json"?>
                "valid-lifetime": 4000 } }
            """);
        var config = LoadFileOk(main);
        var subnet = Assert.Single(config.Subnets);
        Assert.Equal(7u, subnet.Id);
        Assert.Equal(4000u, subnet.ValidLifetime.Default);
    }

    [Fact]
    public void LoadTextResolvesIncludesAgainstBaseDirectory()
    {
        using var dir = new TempDirectory();
        dir.Write("tag.json", "\"server-tag\": \"included\"");
        var result = ConfigLoader.LoadText("{ \"Dhcp6\": { <?include \"tag.json\"?> } }", dir.Path, TestEnvironment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("included", result.Config!.ServerTag);
    }

    [Fact]
    public void IncludeLoopIsAnError()
    {
        using var dir = new TempDirectory();
        dir.Write("a.json", "<?include \"b.json\"?>");
        dir.Write("b.json", "<?include \"a.json\"?>");
        var main = dir.Write("kea.conf", "{ \"Dhcp6\": { <?include \"a.json\"?> } }");
        var result = ConfigLoader.LoadFile(main, TestEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Contains("include loop", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(dir.Path, "b.json") + ":1:1", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingIncludedFileIsAnErrorAtTheDirective()
    {
        using var dir = new TempDirectory();
        var main = dir.Write("kea.conf", "{ \"Dhcp6\": {\n  <?include \"nope.json\"?> } }");
        var result = ConfigLoader.LoadFile(main, TestEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{main}:2:3", error.Path);
        Assert.Contains("nope.json", error.Message, StringComparison.Ordinal);
    }

    // Found by fuzz/Pukeko.Fuzz (target "config"): a NUL character in an include path made Path.GetFullPath throw
    // ArgumentException out of the loader, which promises to return every problem as an error.
    [Fact]
    public void IncludePathWithANulCharacterIsAnErrorAtTheDirective()
    {
        var result = ConfigLoader.LoadText("{ \"Dhcp6\": {\n  <?include \"sub\0net.json\"?> } }", Path.GetTempPath(), TestEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{ConfigLoader.TextLabel}:2:3", error.Path);
        Assert.Contains("invalid include path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingMainFileIsAnError()
    {
        using var dir = new TempDirectory();
        var result = ConfigLoader.LoadFile(Path.Combine(dir.Path, "absent.conf"), TestEnvironment);
        Assert.False(result.Success);
        Assert.Contains("cannot read", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SourceIsTheExpandedDocument()
    {
        using var dir = new TempDirectory();
        dir.Write("tag.json", "\"server-tag\": \"x\" # comment in include");
        var result = ConfigLoader.LoadText("{ \"Dhcp6\": { <?include \"tag.json\"?> } }", dir.Path, TestEnvironment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("x", result.Config!.Source.GetProperty("Dhcp6").GetProperty("server-tag").GetString());
    }

    private static DhcpConfig LoadFileOk(string path)
    {
        var result = ConfigLoader.LoadFile(path, TestEnvironment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Config!;
    }
}
