using Pukeko.Server.Configuration;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>Shared helpers: an explicit environment (tests never touch process variables) and load/assert shortcuts.</summary>
internal static class ConfigTest
{
    public static readonly ConfigEnvironment TestEnvironment = new("/srv/kea-data", "/srv/kea-log", "/srv/kea-run", "/srv/kea-hooks");

    /// <summary>Wraps the body of a Dhcp6 map.</summary>
    public static string Dhcp6(string body) => "{ \"Dhcp6\": { " + body + " } }";

    public static ConfigLoadResult Load(string text) => ConfigLoader.LoadText(text, baseDirectory: null, TestEnvironment);

    /// <summary>Loads and asserts success, showing all errors otherwise.</summary>
    public static DhcpConfig LoadOk(string text)
    {
        var result = Load(text);
        Assert.True(result.Success, "unexpected errors:\n" + string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>Loads, asserts failure and that an error with exactly this path contains the fragment.</summary>
    public static ConfigLoadResult LoadFails(string text, string path, string fragment)
    {
        var result = Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Config);
        AssertError(result, path, fragment);
        return result;
    }

    public static void AssertError(ConfigLoadResult result, string path, string fragment) =>
        Assert.True(
            result.Errors.Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected an error at '{path}' containing '{fragment}'; got:\n" + string.Join("\n", result.Errors));

    public static void AssertWarning(ConfigLoadResult result, string path, string fragment) =>
        Assert.True(
            result.Warnings.Any(w => w.Path == path && w.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected a warning at '{path}' containing '{fragment}'; got:\n" + string.Join("\n", result.Warnings));
}
