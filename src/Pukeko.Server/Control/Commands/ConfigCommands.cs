using System.Text.Json.Nodes;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// <c>config-get</c>, <c>config-hash-get</c>, <c>config-set</c>, <c>config-test</c>, <c>config-reload</c> and
/// <c>config-write</c>. A rejected configuration leaves the running one serving.
/// </summary>
internal static class ConfigCommands
{
    public const string TestPassedText =
        "Configuration seems sane. Control-socket, hook-libraries, and D2 configuration were sanity checked, but not applied.";

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        dispatcher.Register("config-get", (_, _) => ValueTask.FromResult(server.RunningConfigJson() is { } json
            ? ControlAnswer.Create(ControlResult.Success, arguments: json)
            : ControlAnswer.Error("No configuration is running.")));
        dispatcher.Register("config-hash-get", (_, _) => ValueTask.FromResult(ControlAnswer.Create(
            ControlResult.Success, arguments: new JsonObject { ["hash"] = server.ConfigHash })));
        dispatcher.Register("config-test", (command, _) =>
        {
            var text = ConfigText(command);
            var result = server.TestText(text);
            return ValueTask.FromResult(result.Success
                ? ControlAnswer.Success(TestPassedText)
                : ControlAnswer.Error(string.Join("; ", result.Errors)));
        });
        dispatcher.Register("config-set", async (command, ct) =>
        {
            var outcome = await server.ApplyTextAsync(ConfigText(command), ct).ConfigureAwait(false);
            return outcome.Success
                ? ControlAnswer.Success(outcome.Text, new JsonObject { ["hash"] = server.ConfigHash })
                : ControlAnswer.Error(outcome.Text);
        });
        dispatcher.Register("config-reload", async (_, ct) =>
        {
            var outcome = await server.ReloadFileAsync(ct).ConfigureAwait(false);
            return outcome.Success
                ? ControlAnswer.Success(outcome.Text, new JsonObject { ["hash"] = server.ConfigHash })
                : ControlAnswer.Error($"Config reload failed: {outcome.Text}");
        });
        dispatcher.Register("config-write", (command, _) =>
        {
            var file = command.Arguments?.OptionalString("filename");
            var (path, size) = server.WriteConfig(file);
            return ValueTask.FromResult(ControlAnswer.Success(
                $"Configuration written to {path} successful",
                new JsonObject { ["filename"] = path, ["size"] = size }));
        });
    }

    /// <summary>The <c>{"Dhcp6": {...}}</c> document a config-set/config-test carries, as text for the loader.</summary>
    private static string ConfigText(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Missing mandatory 'arguments' parameter.");
        if (!args.TryGetPropertyValue("Dhcp6", out var dhcp6) || dhcp6 is null)
        {
            throw new CommandArgumentException("Missing mandatory 'Dhcp6' parameter.");
        }

        return new JsonObject { ["Dhcp6"] = dhcp6.DeepClone() }.ToJsonString();
    }
}
