using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>How the host, subnet and class commands change the configuration: on its document, swapped in whole.</summary>
internal static class ConfigChange
{
    /// <summary>
    /// Runs <paramref name="change"/> on the running configuration's document (subnet ids written in first, so nothing
    /// is renumbered) and applies the result. A result that does not validate is an error naming the reason; nothing
    /// changes then. <paramref name="refuse"/> may refuse a valid result with a reason (a rule of the command itself).
    /// </summary>
    public static async Task ApplyAsync(Dhcp6Server server, string commandName, Action<ConfigDocument> change, CancellationToken cancellationToken, Func<DhcpConfig, string?>? refuse = null)
    {
        var outcome = await server.ChangeConfigAsync(
            (running, root) =>
            {
                var document = new ConfigDocument(running, root);
                document.PinSubnetIds();
                change(document);
            },
            commandName,
            cancellationToken,
            refuse).ConfigureAwait(false);
        if (outcome.Refused)
        {
            throw new CommandArgumentException(outcome.Text);
        }

        if (!outcome.Success)
        {
            throw new CommandArgumentException($"the configuration with this change is not valid, nothing was changed: {outcome.Text}");
        }
    }

    /// <summary>Logs a successful change with the message id of Kea's library.</summary>
    public static void Log(Dhcp6Server server, string id, string commandName, JsonNode? args) =>
        server.CommandLog.LogInformation(new EventId(0, id), "{Command} successful (parameters: {Parameters})", commandName, Logging.SecretRedactor.Redact(args)?.ToJsonString() ?? "");
}
