using System.Text;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// Configuration text as <c>config-test</c>/<c>config-set</c> hand it to <see cref="ConfigLoader.LoadText"/>
/// (Kea's comments, <c>&lt;?include?&gt;</c> relative to the configuration directory, bare-point numbers, then
/// validation), then hashed as an applied configuration is. The loader promises never to throw for bad input: errors come back as <see cref="ConfigError"/>s.
/// At start-up nothing catches an exception from it, so one would stop the server instead of reporting the file.
/// </summary>
internal static class ConfigTarget
{
    private static readonly Lazy<ConfigEnvironment> Environment = new(() => new ConfigEnvironment(
        FuzzDirectory.Path("data"), FuzzDirectory.Path("log"), FuzzDirectory.Path("run"), FuzzDirectory.Path("hooks")));

    public static void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var result = ConfigLoader.LoadText(text, FuzzDirectory.Path("etc"), Environment.Value);
        if (!result.Success && result.Errors.Count == 0)
        {
            throw new InvariantViolationException("configuration rejected without an error to report");
        }

        if (result.Config is { } config)
        {
            // Every accepted configuration is hashed when it is applied (config-get and config-hash-get show it).
            _ = Dhcp6Server.ComputeHash(config);
        }
    }
}
