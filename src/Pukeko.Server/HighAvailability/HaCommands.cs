using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// The HA library's commands (<c>ha-heartbeat</c>, <c>ha-scopes</c>, <c>ha-continue</c>, <c>ha-reset</c>,
/// <c>ha-sync</c>, <c>ha-sync-complete-notify</c>, <c>ha-maintenance-start</c>, <c>ha-maintenance-notify</c>,
/// <c>ha-maintenance-cancel</c>), which
/// exist only while <c>libdhcp_ha.so</c> is configured, as in Kea. Answers and errors use Kea's texts. With several
/// relationships (hub and spoke) a command picks its relationship by <c>server-name</c> (any server name of it), as
/// Kea 2.6+ does; <c>ha-maintenance-start</c> and <c>ha-maintenance-cancel</c> act on every relationship.
/// </summary>
internal static class HaCommands
{
    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        bool Configured() => server.HighAvailability is not null;

        dispatcher.Register("ha-heartbeat", (command, _) => Done(Route(server, "ha-heartbeat", command.Arguments, out var error)?.HeartbeatAnswer() ?? ControlAnswer.Error(error!)), Configured);
        dispatcher.Register("ha-scopes", (command, _) =>
        {
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

            if (Route(server, "ha-scopes", args, out var error) is not { } ha)
            {
                return Done(ControlAnswer.Error(error!));
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
        dispatcher.Register("ha-sync-complete-notify", (command, _) =>
        {
            if (Route(server, "ha-sync-complete-notify", command.Arguments, out var error) is not { } ha)
            {
                return Done(ControlAnswer.Error(error!));
            }

            if (SyncOriginOf(command.Arguments, out error) is not { } origin)
            {
                return Done(ControlAnswer.Error(error!));
            }

            // The partner synchronised from us under dhcp-disable with this origin; it is done, so that origin lets go
            // (and only it: another relationship's partner may still be synchronising). In partner-down this
            // relationship first holds the service itself until its next heartbeat (Kea).
            ha.SyncCompleteNotified();
            server.Network.Enable(origin.ToString(CultureInfo.InvariantCulture));
            return Done(ControlAnswer.Success("Server successfully notified about the synchronization completion."));
        }, Configured);
        dispatcher.Register("ha-continue", async (command, ct) => Route(server, "ha-continue", command.Arguments, out var error) is { } ha
            ? ControlAnswer.Success(await ha.ContinueAsync(ct).ConfigureAwait(false) ? "HA state machine continues." : "HA state machine is not paused.")
            : ControlAnswer.Error(error!), Configured);
        dispatcher.Register("ha-reset", async (command, ct) => Route(server, "ha-reset", command.Arguments, out var error) is { } ha
            ? ControlAnswer.Success(await ha.ResetAsync(ct).ConfigureAwait(false) ? "HA state machine reset." : "HA state machine already in WAITING state.")
            : ControlAnswer.Error(error!), Configured);
        dispatcher.Register("ha-maintenance-start", async (_, ct) =>
        {
            // Kea 2.6+: every relationship in turn, stopping at the first that does not succeed.
            JsonObject answer = ControlAnswer.Error("the high availability service is not running");
            foreach (var ha in Services(server))
            {
                answer = await ha.MaintenanceStartAsync(ct).ConfigureAwait(false);
                if (ControlAnswer.ResultOf(answer) != ControlResult.Success)
                {
                    break;
                }
            }

            return answer;
        }, Configured);
        dispatcher.Register("ha-maintenance-cancel", async (_, ct) =>
        {
            // Kea 2.6+: every relationship; the last one's answer is the command's.
            JsonObject answer = ControlAnswer.Error("the high availability service is not running");
            foreach (var ha in Services(server))
            {
                answer = await ha.MaintenanceCancelAsync(ct).ConfigureAwait(false);
            }

            return answer;
        }, Configured);
        dispatcher.Register("ha-maintenance-notify", async (command, ct) =>
        {
            if (command.Arguments is not { } args)
            {
                return ControlAnswer.Error("arguments not found in the 'ha-maintenance-notify' command");
            }

            if (!args.TryGetPropertyValue("cancel", out var cancelNode) || cancelNode is null)
            {
                return ControlAnswer.Error("'cancel' is mandatory for the 'ha-maintenance-notify' command");
            }

            if (cancelNode is not JsonValue cancelValue || cancelValue.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
            {
                return ControlAnswer.Error("'cancel' must be a boolean in the 'ha-maintenance-notify' command");
            }

            // Kea 3.x: the sender's state (on cancel, the one it returns to); Kea 2.2 sends none.
            string? partnerState = null;
            if (args.TryGetPropertyValue("state", out var stateNode) && stateNode is not null
                && (stateNode is not JsonValue stateValue || !stateValue.TryGetValue(out partnerState)))
            {
                return ControlAnswer.Error("'state' must be a string in the 'ha-maintenance-notify' command");
            }

            return Route(server, "ha-maintenance-notify", args, out var error) is { } ha
                ? await ha.MaintenanceNotifyAsync(cancelValue.GetValue<bool>(), ct, partnerState).ConfigureAwait(false)
                : ControlAnswer.Error(error!);
        }, Configured);
        dispatcher.Register("ha-sync", async (command, ct) => await SyncAsync(server, command.Arguments, ct).ConfigureAwait(false), Configured);
    }

    /// <summary><c>ha-sync</c>: fetch every lease of the named peer now, its DHCP service disabled meanwhile (for <c>max-period</c> seconds at most).</summary>
    private static async ValueTask<JsonObject> SyncAsync(Dhcp6Server server, JsonObject? args, CancellationToken cancellationToken)
    {
        if (args is null)
        {
            return ControlAnswer.Error("arguments not found in the 'ha-sync' command");
        }

        if (!args.TryGetPropertyValue("server-name", out var nameNode) || nameNode is null)
        {
            return ControlAnswer.Error("'server-name' is mandatory for the 'ha-sync' command");
        }

        if (nameNode is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name))
        {
            return ControlAnswer.Error("'server-name' must be a string in the 'ha-sync' command");
        }

        TimeSpan? maxPeriod = null;
        if (args.TryGetPropertyValue("max-period", out var periodNode) && periodNode is not null)
        {
            if (periodNode is not JsonValue periodValue || periodValue.GetValueKind() != System.Text.Json.JsonValueKind.Number
                || !periodValue.TryGetValue<long>(out var seconds) || seconds <= 0 || seconds > uint.MaxValue)
            {
                return ControlAnswer.Error("'max-period' must be a positive integer in the 'ha-sync' command");
            }

            maxPeriod = TimeSpan.FromSeconds(seconds);
        }

        if (Route(server, "ha-sync", args, out var error) is not { } ha)
        {
            return ControlAnswer.Error(error!);
        }

        if (ha.Config.Peers.FirstOrDefault(p => p.Name == name) is not { } peer || peer.Name == ha.Config.ThisServerName)
        {
            return ControlAnswer.Error($"'{name}' is not a peer of this server: 'server-name' must name the partner or a backup server");
        }

        var failure = await ha.SynchronizeAsync(peer, maxPeriod, cancellationToken).ConfigureAwait(false);
        return failure is null ? ControlAnswer.Success(HaSynchronizer.CompleteText) : ControlAnswer.Error(failure);
    }

    /// <summary>The origin a partner's <c>dhcp-disable</c> names (Kea 2.2: <c>"origin": "ha-partner"</c>).</summary>
    internal const string PartnerOrigin = "ha-partner";

    /// <summary>
    /// The origin <c>ha-sync-complete-notify</c> releases: <c>origin-id</c> (Kea 2.5.8+), else <c>origin</c> (Kea 2.5.5–2.5.7),
    /// both integers; without either (Kea 2.2, whose <c>dhcp-disable</c> said <c>"ha-partner"</c>) 2000, the origin
    /// <c>"ha-partner"</c> stands for here. Kea 3.x defaults to 2001 instead, which leaves a Kea 2.2 partner's hold
    /// in place until its <c>max-period</c>. Null with Kea's error text.
    /// </summary>
    private static int? SyncOriginOf(JsonObject? arguments, out string? error)
    {
        error = null;
        foreach (var key in (ReadOnlySpan<string>)["origin-id", "origin"])
        {
            if (arguments is null || !arguments.TryGetPropertyValue(key, out var node) || node is null)
            {
                continue;
            }

            if (node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.TryGetValue<int>(out var origin))
            {
                return origin;
            }

            error = $"'{key}' must be an integer in the 'ha-sync-complete-notify' command";
            return null;
        }

        return HaService.FirstPartnerOriginId;
    }

    /// <summary>The relationship a command is for (see <see cref="HaServices.ForCommand"/>); null with Kea's error text.</summary>
    private static HaService? Route(Dhcp6Server server, string command, JsonObject? arguments, out string? error)
    {
        if (server.HighAvailability?.Services is not { } services)
        {
            // Unconfigured between the dispatcher's check and now (a reconfiguration).
            error = "the high availability service is not running";
            return null;
        }

        return services.ForCommand(command, arguments, out error);
    }

    private static IReadOnlyList<HaService> Services(Dhcp6Server server) => server.HighAvailability?.Services.All ?? [];

    private static ValueTask<JsonObject> Done(JsonObject answer) => ValueTask.FromResult(answer);
}
