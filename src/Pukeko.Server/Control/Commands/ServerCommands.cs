using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Configuration;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Process-level commands (digest §5.2): <c>version-get</c>, <c>build-report</c>, <c>status-get</c>,
/// <c>server-tag-get</c>, <c>shutdown</c>, <c>dhcp-disable</c>/<c>dhcp-enable</c>, <c>leases-reclaim</c>,
/// <c>config-backend-pull</c>, <c>kea-lfc-start</c> and <c>libreload</c>.
/// </summary>
internal static class ServerCommands
{
    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        dispatcher.Register("version-get", (_, _) => Done(ControlAnswer.Success(
            server.Version.Short, new JsonObject { ["extended"] = server.Version.Extended })));
        dispatcher.Register("build-report", (_, _) => Done(ControlAnswer.Success(server.Version.BuildReport)));
        dispatcher.Register("status-get", (_, _) => Done(ControlAnswer.Create(ControlResult.Success, arguments: Status(server))));
        dispatcher.Register("server-tag-get", (_, _) => Done(ControlAnswer.Create(
            ControlResult.Success, arguments: new JsonObject { ["server-tag"] = server.Config?.ServerTag ?? "" })));
        dispatcher.Register("config-backend-pull", (_, _) => Done(ControlAnswer.Empty("No config backend.")));
        dispatcher.Register("shutdown", (command, ct) =>
        {
            var exitValue = 0;
            if (command.Arguments is { } args && args.OptionalInteger("exit-value") is { } value)
            {
                exitValue = (int)Math.Clamp(value, int.MinValue, int.MaxValue);
            }

            // Answer first; the host stops once the answer is on its way.
            _ = Task.Run(async () =>
            {
                await Task.Delay(100).ConfigureAwait(false);
                server.RequestShutdown(exitValue);
            });
            return Done(ControlAnswer.Success("Shutting down."));
        });
        dispatcher.Register("dhcp-disable", (command, _) => Done(Disable(server, command.Arguments)));
        dispatcher.Register("dhcp-enable", (command, _) => Done(Enable(server, command.Arguments)));
        dispatcher.Register("leases-reclaim", async (command, ct) =>
        {
            if (command.Arguments is null || !command.Arguments.ContainsKey("remove"))
            {
                return ControlAnswer.Error("Missing mandatory 'remove' parameter.");
            }

            var remove = command.Arguments.RequireBool("remove");
            await server.ReclaimNowAsync(unlimited: true, remove: remove, cancellationToken: ct).ConfigureAwait(false);
            return ControlAnswer.Success("Reclamation of expired leases is complete.");
        });
        dispatcher.Register("kea-lfc-start", (command, ct) =>
        {
            if (server.Leases is not MemfileLeaseStore store || !store.Options.Persist)
            {
                return Done(ControlAnswer.Create(ControlResult.Unsupported, "kea-lfc-start is not supported when persist is false"));
            }

            _ = Task.Run(() => store.RunLfcAsync(CancellationToken.None));
            return Done(ControlAnswer.Success("kea-lfc started"));
        });
        dispatcher.Register("libreload", async (command, ct) =>
        {
            var name = command.Arguments?.OptionalString("library");
            return await dispatcher.Extensions.ReloadLibrariesAsync(name, ct).ConfigureAwait(false);
        });
    }

    private static ValueTask<JsonObject> Done(JsonObject answer) => ValueTask.FromResult(answer);

    private static JsonObject Disable(Dhcp6Server server, JsonObject? args)
    {
        TimeSpan? period = null;
        var origin = NetworkStateOrigin(args);
        if (args?.OptionalInteger("max-period") is { } seconds)
        {
            if (seconds <= 0)
            {
                return ControlAnswer.Error("'max-period' must be positive integer");
            }

            period = TimeSpan.FromSeconds(seconds);
        }

        server.Network.Disable(origin, period);
        return ControlAnswer.Success(period is null
            ? "DHCPv6 service disabled"
            : string.Create(CultureInfo.InvariantCulture, $"DHCPv6 service disabled for {period.Value.TotalSeconds} seconds"));
    }

    private static JsonObject Enable(Dhcp6Server server, JsonObject? args)
    {
        server.Network.Enable(NetworkStateOrigin(args));
        return ControlAnswer.Success("DHCP service successfully enabled");
    }

    private static readonly string HaPartnerOrigin = HaService.FirstPartnerOriginId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Kea's <c>origin</c>: "user" (default), "ha-partner" (2000) or a number; <c>origin-id</c> (Kea 2.5.8+) is the
    /// numeric form and wins over <c>origin</c>. Each number is an origin of its own, so two HA relationships (2000 +
    /// their index) hold and release the service independently.
    /// </summary>
    private static string NetworkStateOrigin(JsonObject? args)
    {
        if (args is null)
        {
            return NetworkState.UserOrigin;
        }

        if (args.OptionalInteger("origin-id") is { } id)
        {
            return id == 1 ? NetworkState.UserOrigin : id.ToString(CultureInfo.InvariantCulture);
        }

        if (!args.TryGetPropertyValue("origin", out var node) || node is null)
        {
            return NetworkState.UserOrigin;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text switch
            {
                "user" => NetworkState.UserOrigin,
                // Kea 2.5.8+ reads Kea 2.2's partner origin as the first remote origin, 2000: the same hold a Kea 3.x
                // partner of the first relationship takes with origin-id 2000.
                "ha-partner" => HaPartnerOrigin,
                _ => throw new CommandArgumentException($"invalid value used for 'origin' parameter: {text}"),
            };
        }

        if (node is JsonValue number && number.TryGetValue<long>(out var n))
        {
            return n == 1 ? NetworkState.UserOrigin : n.ToString(CultureInfo.InvariantCulture);
        }

        throw new CommandArgumentException("'origin' argument must be a string or a number");
    }

    /// <summary>Kea 2.5.8+'s remote origins (2000–2999): what HA partners' <c>dhcp-disable</c> holds.</summary>
    private static bool IsRemoteOrigin(string origin) =>
        int.TryParse(origin, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id is >= HaService.FirstPartnerOriginId and < 3000;

    /// <summary>Numeric origins as numbers (Kea lists them so), others (a hook library's own name) as strings.</summary>
    private static JsonNode OriginNode(string origin) =>
        int.TryParse(origin, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? JsonValue.Create(id) : JsonValue.Create(origin);

    private static JsonObject Status(Dhcp6Server server)
    {
        var now = server.Time.GetUtcNow();
        var config = server.Config;
        var mt = config?.MultiThreading;
        var status = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["uptime"] = (long)(now - server.StartedAt).TotalSeconds,
            ["reload"] = (long)(now - server.ReconfiguredAt).TotalSeconds,
            ["multi-threading-enabled"] = mt?.Enabled ?? false,
            ["thread-pool-size"] = mt is { Enabled: true } ? (mt.ThreadPoolSize > 0 ? mt.ThreadPoolSize : Environment.ProcessorCount) : 0,
            ["packet-queue-size"] = mt is { Enabled: true } ? mt.PacketQueueSize : 0,
            ["packet-queue-statistics"] = new JsonArray(0.0, 0.0, 0.0),
            ["extended-info-tables"] = server.Leases is Leases.IExtendedInfoTables { ExtendedInfoTablesEnabled: true, HasExtendedInfoTables: true },
            ["sockets"] = new JsonObject { ["status"] = "ready" },
        };
        if (config is { LeaseDatabase: { Type: LeaseDatabaseConfig.Memfile, Persist: true } })
        {
            status["csv-lease-file"] = config.LeaseDatabase.FilePath;
        }

        var disabledBy = server.Network.DisabledBy;
        status["dhcp-state"] = new JsonObject
        {
            ["globally-disabled"] = disabledBy.Count > 0,
            ["disabled-by-user"] = disabledBy.Contains(NetworkState.UserOrigin),
            ["disabled-by-db-connection"] = disabledBy.Any(DatabaseRecovery.IsDatabaseOrigin),
            ["disabled-by-local-command"] = new JsonArray([.. disabledBy.Where(o => o is not NetworkState.UserOrigin && !DatabaseRecovery.IsDatabaseOrigin(o) && !IsRemoteOrigin(o)).Select(OriginNode)]),
            ["disabled-by-remote-command"] = new JsonArray([.. disabledBy.Where(IsRemoteOrigin).Select(OriginNode)]),
        };

        // Kea's HA library appends its section to status-get (one element per relationship).
        if (server.HighAvailability?.Services is { } ha)
        {
            status["high-availability"] = ha.Status();
        }

        return status;
    }
}
