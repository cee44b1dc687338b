using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// The HA library's commands (<c>ha-heartbeat</c>, <c>ha-scopes</c>, <c>ha-continue</c>, <c>ha-reset</c>,
/// <c>ha-sync-complete-notify</c>), which
/// exist only while <c>libdhcp_ha.so</c> is configured, as in Kea. Answers and errors use Kea's texts.
/// </summary>
internal static class HaCommands
{
    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        bool Configured() => server.HighAvailability is not null;

        dispatcher.Register("ha-heartbeat", (_, _) => Done(Service(server)?.HeartbeatAnswer() ?? NotRunning()), Configured);
        dispatcher.Register("ha-scopes", (command, _) =>
        {
            if (Service(server) is not { } ha)
            {
                return Done(NotRunning());
            }

            if (command.Arguments is not { } args)
            {
                return Done(ControlAnswer.Error("arguments not found in the 'ha-scopes' command"));
            }

            if (!args.TryGetPropertyValue("scopes", out var node) || node is null)
            {
                return Done(ControlAnswer.Error("'scopes' is mandatory for the 'ha-scopes' command"));
            }

            if (node is not JsonArray list)
            {
                return Done(ControlAnswer.Error("'scopes' must be a list in the 'ha-scopes' command"));
            }

            var scopes = new List<string>();
            foreach (var item in list)
            {
                if (item is not JsonValue value || !value.TryGetValue<string>(out var name))
                {
                    return Done(ControlAnswer.Error("scope name must be a string in the 'scopes' argument"));
                }

                scopes.Add(name);
            }

            try
            {
                ha.ServeScopes(scopes);
            }
            catch (ArgumentException ex)
            {
                return Done(ControlAnswer.Error(ex.Message));
            }

            return Done(ControlAnswer.Success("New HA scopes configured."));
        }, Configured);
        dispatcher.Register("ha-sync-complete-notify", (_, _) =>
        {
            if (Service(server) is null)
            {
                return Done(NotRunning());
            }

            // The partner synchronised from us under dhcp-disable (origin ha-partner); it is done, so that origin lets go.
            // Kea also defers this in partner-down until its own heartbeat succeeds; here it is released at once.
            server.Network.Enable(PartnerOrigin);
            return Done(ControlAnswer.Success("Server successfully notified about the synchronization completion."));
        }, Configured);
        dispatcher.Register("ha-continue", async (_, ct) => Service(server) is { } ha
            ? ControlAnswer.Success(await ha.ContinueAsync(ct).ConfigureAwait(false) ? "HA state machine continues." : "HA state machine is not paused.")
            : NotRunning(), Configured);
        dispatcher.Register("ha-reset", async (_, ct) => Service(server) is { } ha
            ? ControlAnswer.Success(await ha.ResetAsync(ct).ConfigureAwait(false) ? "HA state machine reset." : "HA state machine already in WAITING state.")
            : NotRunning(), Configured);
    }

    /// <summary>The origin a partner's <c>dhcp-disable</c> names (Kea 2.2: <c>"origin": "ha-partner"</c>).</summary>
    private const string PartnerOrigin = "ha-partner";

    private static HaService? Service(Dhcp6Server server) => server.HighAvailability?.Service;

    // Configured but not running: the hub-and-spoke form, which is parsed but not served yet.
    private static JsonObject NotRunning() => ControlAnswer.Error("the high availability service is not running (several relationships are not served yet)");

    private static ValueTask<JsonObject> Done(JsonObject answer) => ValueTask.FromResult(answer);
}
