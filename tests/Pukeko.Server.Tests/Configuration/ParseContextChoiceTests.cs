using System.Text.Json;
using Pukeko.Server.Configuration.Parsing;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary><see cref="ParseContext.TryChoice"/> and the keyword keys that use it, with their exact error texts and paths.</summary>
public sealed class ParseContextChoiceTests
{
    private static readonly (string, int)[] Sizes = [("small", 1), ("large", 2)];

    private static (bool Ok, int Value, ParseContext Context) Choose(string json)
    {
        var context = new ParseContext(TestEnvironment);
        using var document = JsonDocument.Parse(json);
        var ok = context.TryChoice(document.RootElement, "Dhcp6/size", Sizes, text => $"no size '{text}'", out var value);
        return (ok, value, context);
    }

    [Fact]
    public void AKnownNameGivesItsValue()
    {
        var (ok, value, context) = Choose("\"large\"");
        Assert.True(ok);
        Assert.Equal(2, value);
        Assert.Empty(context.Errors);
    }

    [Fact]
    public void AnUnknownNameIsAnErrorInTheCallersWords()
    {
        var (ok, _, context) = Choose("\"huge\"");
        Assert.False(ok);
        var error = Assert.Single(context.Errors);
        Assert.Equal(("Dhcp6/size", "no size 'huge'"), (error.Path, error.Message));
    }

    [Fact]
    public void ANonStringIsAnErrorAsForAnyString()
    {
        var (ok, _, context) = Choose("3");
        Assert.False(ok);
        Assert.Contains("expected a string", Assert.Single(context.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"sanity-checks\": { \"lease-checks\": \"repair\" }", "Dhcp6/sanity-checks/lease-checks",
        "Unsupported lease-checks value: repair, supported values are: none, warn, fix, fix-del, del")]
    [InlineData("\"sanity-checks\": { \"extended-info-checks\": \"lax\" }", "Dhcp6/sanity-checks/extended-info-checks",
        "Unsupported extended-info-checks value: lax, supported values are: none, fix, strict, pedantic")]
    [InlineData("\"lease-database\": { \"type\": \"postgresql\", \"name\": \"kea\", \"on-fail\": \"retry-forever\" }", "Dhcp6/lease-database/on-fail",
        "unsupported value 'retry-forever' (expected stop-retry-exit, serve-retry-exit or serve-retry-continue)")]
    public void KeywordKeysKeepTheirErrorTextAndPath(string body, string path, string message)
    {
        var result = Load(Dhcp6(body));
        var error = Assert.Single(result.Errors);
        Assert.Equal((path, message), (error.Path, error.Message));
    }
}
