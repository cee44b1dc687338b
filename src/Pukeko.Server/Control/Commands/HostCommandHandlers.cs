using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;
using Pukeko.Server.Configuration;
using Pukeko.Server.Configuration.Parsing;
using Pukeko.Server.Hosting;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// The bodies of the host commands, on Kea's two kinds of host data source: the configuration's reservations
/// ("memory") and the host databases (<c>hosts-database(s)</c>, "database"), chosen by <c>operation-target</c>. Reads
/// search both by default, the configuration first. Changes go to the host databases by default, as in Kea; with
/// none configured they change the configuration instead (Kea refuses there), so a server without a host database
/// keeps working as before. A host added to a database applies to the next packet: lookups ask the database.
/// </summary>
internal sealed class HostCommandHandlers(Dhcp6Server server)
{
    private static readonly string[] IdentifierKeys = ["duid", "hw-address", "flex-id"];

    private DhcpConfig Running => server.Config ?? throw new CommandArgumentException("no configuration is running");

    private IReadOnlyList<IHostDataSource> Databases => server.HostSources;

    public async ValueTask<JsonObject> GetAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var query = HostQuery.Parse(command.Arguments);
        var config = Running;
        var subnetId = query.SubnetId!.Value;
        var found = query.SearchesMemory ? HostsIn(config, subnetId).FirstOrDefault(query.Matches) : null;
        if (found is not null)
        {
            return ControlAnswer.Success("Host found.", ToJson(ConfigDocument.Of(config), found, subnetId));
        }

        // A circuit-id or client-id names no DHCPv6 host (no type): nothing to ask the databases.
        if (query.Target != HostTarget.Memory && (query.Address is not null || query.Type is not null))
        {
            var selection = new HostSelection { SubnetId = subnetId, Address = query.Address, IdentifierType = query.Type, Identifier = query.Identifier };
            var stored = await SelectAsync(config, selection, cancellationToken).ConfigureAwait(false);
            if (stored.Count > 0)
            {
                return ControlAnswer.Success("Host found.", ToJson(ConfigDocument.Of(config), stored[0].Host, subnetId, fromDatabase: true));
            }
        }

        return ControlAnswer.Empty("Host not found.");
    }

    public async ValueTask<JsonObject> GetAllAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = HostQuery.RequireMap(command.Arguments);
        var subnetId = HostQuery.SubnetIdOf(args, "subnet-id") ?? throw new CommandArgumentException("missing parameter 'subnet-id'");
        var target = HostQuery.TargetOf(args);
        var config = Running;
        RequireSubnet(config, subnetId);
        var memory = target == HostTarget.Database ? [] : HostsIn(config, subnetId).Select(h => (h, subnetId));
        var stored = target == HostTarget.Memory ? [] : await SelectAsync(config, new HostSelection { SubnetId = subnetId }, cancellationToken).ConfigureAwait(false);
        return HostList(config, memory, stored);
    }

    public async ValueTask<JsonObject> GetPageAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = HostQuery.RequireMap(command.Arguments);
        var limit = KeaParameters.OptionalInteger(args, "limit") ?? throw new CommandArgumentException("missing parameter 'limit'");
        if (limit is < 1 or > uint.MaxValue)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"out of range value ({limit}) specified for parameter 'limit'"));
        }

        var subnetId = HostQuery.SubnetIdOf(args, "subnet-id");
        var sourceIndex = KeaParameters.OptionalInteger(args, "source-index") ?? 0;
        if (sourceIndex is < 0 or > 10)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"out of range value ({sourceIndex}) specified for parameter 'source-index'"));
        }

        var from = KeaParameters.OptionalInteger(args, "from") ?? 0;
        var config = Running;
        if (subnetId is { } id)
        {
            RequireSubnet(config, id);
        }

        // Source 0 is the configuration, where a host's id is its position, counting from 1; source n is the n-th
        // host database, where it is the row's host_id. As Kea's host manager: a source with nothing (more) to give
        // passes on to the next one, from its start.
        var take = (int)Math.Min(limit, int.MaxValue);
        List<(HostReservation Host, uint SubnetId, long HostId, bool FromDatabase)> page = [];
        while (page.Count == 0 && sourceIndex <= Databases.Count)
        {
            if (sourceIndex == 0)
            {
                page = [.. AllHosts(config)
                    .Select((h, i) => (h.Host, h.SubnetId, HostId: i + 1L, FromDatabase: false))
                    .Where(h => h.HostId > from && (subnetId is null || h.SubnetId == subnetId))
                    .Take(take)];
            }
            else
            {
                var stored = await Guarded(() => Databases[(int)sourceIndex - 1].SelectAsync(
                    new HostSelection { SubnetId = subnetId, AfterHostId = from, Limit = take }, config.OptionDefinitions, cancellationToken)).ConfigureAwait(false);
                page = [.. stored.Select(h => (h.Host, h.Host.SubnetId ?? 0, h.HostId, FromDatabase: true))];
            }

            if (page.Count == 0)
            {
                sourceIndex++;
                from = 0;
            }
        }

        var document = ConfigDocument.Of(config);
        var answer = HostList(new JsonArray([.. page.Select(h => (JsonNode)ToJson(document, h.Host, h.SubnetId, h.FromDatabase))]));
        var arguments = (JsonObject)answer["arguments"]!;
        arguments["count"] = page.Count;
        if (page.Count > 0)
        {
            arguments["next"] = new JsonObject { ["source-index"] = sourceIndex, ["from"] = page[^1].HostId };
        }

        return answer;
    }

    public async ValueTask<JsonObject> GetByHostnameAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = HostQuery.RequireMap(command.Arguments);
        var hostname = KeaParameters.String(args, "hostname");
        var subnetId = HostQuery.SubnetIdOf(args, "subnet-id");
        var target = HostQuery.TargetOf(args);
        if (hostname.Length == 0)
        {
            throw new CommandArgumentException("Empty hostname");
        }

        var config = Running;
        if (subnetId is { } id)
        {
            RequireSubnet(config, id);
        }

        var hosts = target == HostTarget.Database
            ? []
            : AllHosts(config).Where(h => (subnetId is null || h.SubnetId == subnetId)
                && string.Equals(h.Host.Hostname, hostname, StringComparison.OrdinalIgnoreCase));
        var stored = target == HostTarget.Memory ? [] : await SelectAsync(config, new HostSelection { SubnetId = subnetId, Hostname = hostname }, cancellationToken).ConfigureAwait(false);
        return HostList(config, hosts, stored);
    }

    public async ValueTask<JsonObject> GetByIdAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var query = HostQuery.ParseById(command.Arguments);
        var config = Running;
        var stored = query.Target == HostTarget.Memory || query.Type is null
            ? []
            : await SelectAsync(config, new HostSelection { IdentifierType = query.Type, Identifier = query.Identifier }, cancellationToken).ConfigureAwait(false);
        return HostList(config, query.SearchesMemory ? AllHosts(config).Where(h => query.Matches(h.Host)) : [], stored);
    }

    public async ValueTask<JsonObject> GetByAddressAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = HostQuery.RequireMap(command.Arguments);
        var address = KeaParameters.Address(args, "ip-address");
        var subnetId = HostQuery.SubnetIdOf(args, "subnet-id");
        var target = HostQuery.TargetOf(args);
        var config = Running;
        if (subnetId is { } id)
        {
            RequireSubnet(config, id);
        }

        var hosts = target == HostTarget.Database
            ? []
            : AllHosts(config).Where(h => (subnetId is null || h.SubnetId == subnetId) && HostQuery.Reserves(h.Host, address));
        var stored = target == HostTarget.Memory ? [] : await SelectAsync(config, new HostSelection { SubnetId = subnetId, Address = address }, cancellationToken).ConfigureAwait(false);
        return HostList(config, hosts, stored);
    }

    public async ValueTask<JsonObject> AddAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no parameters specified for the command");
        var target = WriteTarget(HostQuery.TargetOf(args));
        if (!args.TryGetPropertyValue("reservation", out var node) || node is null)
        {
            throw new CommandArgumentException("reservation must be specified");
        }

        var reservation = node as JsonObject ?? throw new CommandArgumentException("reservation must be a map");
        var config = Running;
        var subnetId = HostQuery.SubnetIdOf(reservation, "subnet-id");
        var assumedGlobal = false;
        if (subnetId is null)
        {
            CheckGlobalWithoutSubnetId(config, reservation);
            subnetId = 0;
            assumedGlobal = true;
        }

        if (target == HostTarget.Database && Databases.Count == 0)
        {
            throw new CommandArgumentException("Host database not available, cannot add host.");
        }

        RequireSubnetFor(config, subnetId.Value, reservation);
        var id = subnetId.Value;
        var host = target == HostTarget.Memory ? null : ParseForDatabase(config, reservation, id);
        if (target != HostTarget.Database)
        {
            var (type, identifier) = IdentifierOf(reservation);
            if (type is { } t && HostsIn(config, id).Any(h => h.IdentifierType == t && h.Identifier.AsSpan().SequenceEqual(identifier)))
            {
                throw new CommandArgumentException(
                    $"failed to add new host using the {IdentifierTitle(t)} '{IdentifierText(t, identifier!)}' to the IPv6 subnet id '{subnetId}' as this host has already been added");
            }

            await ChangeAsync(document => ScopeList(document, id).Add(ConfigEntry(reservation)), "reservation-add", cancellationToken).ConfigureAwait(false);
        }

        // As Kea's host manager, every host database gets the host.
        if (host is not null)
        {
            foreach (var database in Databases)
            {
                await Guarded(() => database.AddAsync(host, config.IpReservationsUnique, cancellationToken)).ConfigureAwait(false);
            }
        }

        Log("HOST_CMDS_RESERV_ADD_SUCCESS", "reservation-add", reservation);
        return ControlAnswer.Success(assumedGlobal ? "Host added. subnet-id not specified, assumed global (subnet-id 0)." : "Host added.");
    }

    public async ValueTask<JsonObject> UpdateAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("invalid command: does not contain mandatory 'arguments'");
        if (!args.TryGetPropertyValue("reservation", out var node) || node is null)
        {
            throw new CommandArgumentException("invalid command: expected 'reservation' as the sole parameter inside the 'arguments' map, didn't get it instead");
        }

        var reservation = node as JsonObject
            ?? throw new CommandArgumentException($"invalid command: expected 'reservation' to be a map, got {KindName(node)} instead");
        var target = WriteTarget(HostQuery.TargetOf(args));
        var subnetId = HostQuery.SubnetIdOf(reservation, "subnet-id") ?? throw new CommandArgumentException("Mandatory 'subnet-id' parameter missing.");
        var (type, identifier) = IdentifierOf(reservation);
        if (type is not { } t)
        {
            throw new CommandArgumentException("reservation needs one identifier: duid, hw-address or flex-id");
        }

        if (target == HostTarget.Database && Databases.Count == 0)
        {
            throw new CommandArgumentException("host database not available, cannot update host");
        }

        var config = Running;
        RequireSubnetFor(config, subnetId, reservation);
        var host = target == HostTarget.Memory ? null : ParseForDatabase(config, reservation, subnetId);
        if (target != HostTarget.Database)
        {
            await UpdateInMemoryAsync(config, reservation, subnetId, t, identifier!, cancellationToken).ConfigureAwait(false);
        }

        if (host is not null)
        {
            var replaced = false;
            foreach (var database in Databases)
            {
                replaced |= await Guarded(() => database.ReplaceAsync(host, config.IpReservationsUnique, cancellationToken)).ConfigureAwait(false);
            }

            if (!replaced)
            {
                throw new CommandArgumentException("Host not updated (not found).");
            }
        }

        Log("HOST_CMDS_RESERV_UPDATE_SUCCESS", "reservation-update", reservation);
        return ControlAnswer.Success("Host updated.");
    }

    private async Task UpdateInMemoryAsync(DhcpConfig config, JsonObject reservation, uint subnetId, HostIdentifierType t, byte[] identifier, CancellationToken cancellationToken)
    {
        if (!HostsIn(config, subnetId).Any(h => h.IdentifierType == t && h.Identifier.AsSpan().SequenceEqual(identifier)))
        {
            throw new CommandArgumentException("Host not updated (not found).");
        }

        await ChangeAsync(
            document =>
            {
                var list = ScopeList(document, subnetId);
                var index = IndexOf(list, t, identifier);
                list[index] = ConfigEntry(reservation);
            },
            "reservation-update",
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<JsonObject> DeleteAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var query = HostQuery.Parse(command.Arguments);
        var target = WriteTarget(query.Target);
        if (target == HostTarget.Database && Databases.Count == 0)
        {
            throw new CommandArgumentException("Unable to delete a host because there is no hosts-databases configured.");
        }

        var config = Running;
        var subnetId = query.SubnetId!.Value;
        var found = target == HostTarget.Database ? null : HostsIn(config, subnetId).FirstOrDefault(query.Matches);
        if (found is not null)
        {
            await ChangeAsync(
                document =>
                {
                    var list = ScopeList(document, subnetId);
                    list.RemoveAt(IndexOf(list, found.IdentifierType, found.Identifier));
                },
                "reservation-del",
                cancellationToken).ConfigureAwait(false);
        }

        var deleted = found is not null;
        foreach (var database in target == HostTarget.Memory ? [] : Databases)
        {
            deleted |= query.Address is { } address
                ? await Guarded(() => database.DeleteByAddressAsync(subnetId, address, cancellationToken)).ConfigureAwait(false)
                : query.Type is { } type && await Guarded(() => database.DeleteAsync(subnetId, type, query.Identifier!, cancellationToken)).ConfigureAwait(false);
        }

        if (!deleted)
        {
            return ControlAnswer.Empty("Host not deleted (not found).");
        }

        Log("HOST_CMDS_RESERV_DEL_SUCCESS", "reservation-del", command.Arguments);
        return ControlAnswer.Success("Host deleted.");
    }

    /// <summary>
    /// Where a change goes: as given, and by default (Kea's "database") the host databases; without any, the
    /// configuration, where Kea would refuse.
    /// </summary>
    private HostTarget WriteTarget(HostTarget target) =>
        target == HostTarget.Default ? Databases.Count > 0 ? HostTarget.Database : HostTarget.Memory : target;

    /// <summary>Every host database's hosts of <paramref name="selection"/>, database after database.</summary>
    private async Task<List<StoredHost>> SelectAsync(DhcpConfig config, HostSelection selection, CancellationToken cancellationToken)
    {
        var hosts = new List<StoredHost>();
        foreach (var database in Databases)
        {
            hosts.AddRange(await Guarded(() => database.SelectAsync(selection, config.OptionDefinitions, cancellationToken)).ConfigureAwait(false));
        }

        return hosts;
    }

    /// <summary>A host database's refusal (duplicate, read-only) is the command's error, with Kea's text.</summary>
    private static async Task<T> Guarded<T>(Func<ValueTask<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (HostDatabaseWriteException e)
        {
            throw new CommandArgumentException(e.Message);
        }
    }

    private static async Task Guarded(Func<ValueTask> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (HostDatabaseWriteException e)
        {
            throw new CommandArgumentException(e.Message);
        }
    }

    /// <summary>
    /// The command's reservation read as the configuration reads one (with the running configuration's option
    /// definitions and ip-reservations-unique), for a host database; an error in it is the command's error.
    /// </summary>
    private HostReservation ParseForDatabase(DhcpConfig config, JsonObject reservation, uint subnetId)
    {
        var context = new ParseContext(server.Directories) { IpReservationsUnique = config.IpReservationsUnique };
        foreach (var definition in config.OptionDefinitions.Custom)
        {
            context.Definitions.TryAdd(definition);
        }

        var scope = subnetId == 0 ? Subnet6Scope.Global : new Subnet6Scope(subnetId, config.FindSubnet(subnetId)!.Prefix);
        using var json = JsonDocument.Parse(new JsonArray(ConfigEntry(reservation)).ToJsonString());
        var hosts = new List<HostReservation>(1);
        ReservationParser.ParseList(json.RootElement, "reservation", scope, hosts, context);
        if (context.Errors.Count > 0)
        {
            throw new CommandArgumentException(context.Errors[0].Message);
        }

        return hosts.Single();
    }

    private Task ChangeAsync(Action<ConfigDocument> change, string commandName, CancellationToken cancellationToken) =>
        ConfigChange.ApplyAsync(server, commandName, change, cancellationToken);

    private void Log(string id, string commandName, JsonObject? args) => ConfigChange.Log(server, id, commandName, args);

    /// <summary>Global reservations first (subnet-id 0), then each subnet's, in configuration order.</summary>
    private static IEnumerable<(HostReservation Host, uint SubnetId)> AllHosts(DhcpConfig config) =>
        config.GlobalReservations.Select(h => (h, 0u)).Concat(config.Subnets.SelectMany(s => s.Reservations.Select(h => (h, s.Id))));

    private static IEnumerable<HostReservation> HostsIn(DhcpConfig config, uint subnetId) =>
        subnetId == 0 ? config.GlobalReservations : config.FindSubnet(subnetId)?.Reservations ?? [];

    private static void RequireSubnet(DhcpConfig config, uint subnetId)
    {
        if (subnetId != 0 && config.FindSubnet(subnetId) is null)
        {
            throw new CommandArgumentException($"IPv6 subnet with ID of '{subnetId}' is not configured");
        }
    }

    /// <summary>The subnet exists and holds every reserved address (prefixes need not lie in it, as in Kea).</summary>
    private static void RequireSubnetFor(DhcpConfig config, uint subnetId, JsonObject reservation)
    {
        RequireSubnet(config, subnetId);
        if (subnetId != 0 && config.FindSubnet(subnetId) is { } subnet)
        {
            foreach (var address in AddressesOf(reservation).Where(a => !subnet.InRange(a)))
            {
                throw new CommandArgumentException($"specified reservation '{address}' is not matching the IPv6 subnet prefix '{subnet.Prefix}'");
            }
        }
    }

    /// <summary>
    /// Kea's rule for a reservation without subnet-id: global when it reserves nothing; otherwise an error that
    /// names the subnet the addresses fall in, as a hint.
    /// </summary>
    private static void CheckGlobalWithoutSubnetId(DhcpConfig config, JsonObject reservation)
    {
        var addresses = AddressesOf(reservation).ToList();
        if (addresses.Count == 0)
        {
            if (reservation["prefixes"] is JsonArray { Count: > 0 })
            {
                throw new CommandArgumentException("Mandatory 'subnet-id' parameter missing. Prefixes are not attached to subnets so no hint is available.");
            }

            return;
        }

        var holding = config.Subnets.Where(s => addresses.All(s.InRange)).ToList();
        var open = holding.Where(s => s.ClientClasses.Count == 0 && (s.SharedNetwork is null || s.SharedNetwork.ClientClasses.Count == 0)).ToList();
        var others = holding.Count > 1 ? " and others." : ".";
        if (open.Count > 0)
        {
            throw new CommandArgumentException($"Mandatory 'subnet-id' parameter missing. Reserved IPv6 addresses belong to subnet '{open[0].Prefix}' id {open[0].Id}{others}");
        }

        if (holding.Count > 0)
        {
            throw new CommandArgumentException($"Mandatory 'subnet-id' parameter missing. Reserved IPv6 addresses belong to guarded subnet '{holding[0].Prefix}' id {holding[0].Id}{others}");
        }

        throw new CommandArgumentException("Mandatory 'subnet-id' parameter missing. Reserved IPv6 addresses do not belong to a common configured subnet.");
    }

    private static IEnumerable<Ipv6Address> AddressesOf(JsonObject reservation) =>
        reservation["ip-addresses"] is JsonArray list
            ? list.OfType<JsonValue>()
                .Where(v => v.GetValueKind() == JsonValueKind.String)
                .Select(v => KeaParameters.ParseAddress(v.GetValue<string>().Trim()))
                .OfType<Ipv6Address>()
            : [];

    /// <summary>The reservation's identifier, when it has exactly one that decodes; else (null, null) and the loader says what is wrong.</summary>
    private static (HostIdentifierType? Type, byte[]? Identifier) IdentifierOf(JsonObject reservation)
    {
        var present = IdentifierKeys.Where(k => reservation[k] is not null).ToList();
        if (present.Count != 1 || reservation[present[0]] is not JsonValue value || value.GetValueKind() != JsonValueKind.String
            || !HostIdentifierNames.TryParse(present[0], out var type)
            || !ReservationParser.TryDecodeIdentifier(type, value.GetValue<string>(), out var bytes))
        {
            return (null, null);
        }

        return (type, bytes);
    }

    private static int IndexOf(JsonArray list, HostIdentifierType type, byte[] identifier)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject entry && IdentifierOf(entry) is ({ } t, { } bytes) && t == type && bytes.AsSpan().SequenceEqual(identifier))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"the reservation for {HostIdentifierNames.ToKeaName(type)} {HexText.Format(identifier)} is not in the configuration document");
    }

    /// <summary>The <c>reservations</c> list of subnet <paramref name="subnetId"/>, or the global one for 0; created when absent.</summary>
    private static JsonArray ScopeList(ConfigDocument document, uint subnetId)
    {
        if (subnetId == 0)
        {
            return ConfigDocument.ListOf(document.Dhcp6, "reservations");
        }

        var subnet = document.FindSubnet(subnetId) ?? throw new CommandArgumentException($"IPv6 subnet with ID of '{subnetId}' is not configured");
        return ConfigDocument.ListOf(subnet.Map, "reservations");
    }

    private static JsonArray ScopeListOrEmpty(ConfigDocument document, uint subnetId) =>
        (subnetId == 0 ? document.Dhcp6["reservations"] : document.FindSubnet(subnetId)?.Map["reservations"]) as JsonArray ?? [];

    /// <summary>The reservation as the configuration file writes it: the command's map without <c>subnet-id</c>.</summary>
    private static JsonObject ConfigEntry(JsonObject reservation)
    {
        var entry = (JsonObject)reservation.DeepClone();
        entry.Remove("subnet-id");
        return entry;
    }

    /// <summary>The configuration's hosts, then the host databases' (Kea's order for "all").</summary>
    private static JsonObject HostList(DhcpConfig config, IEnumerable<(HostReservation Host, uint SubnetId)> hosts, IEnumerable<StoredHost> stored)
    {
        var document = ConfigDocument.Of(config);
        var list = new JsonArray();
        foreach (var (host, subnetId) in hosts)
        {
            list.Add(ToJson(document, host, subnetId));
        }

        foreach (var (_, host) in stored)
        {
            list.Add(ToJson(document, host, host.SubnetId ?? 0, fromDatabase: true));
        }

        return HostList(list);
    }

    private static JsonObject HostList(JsonArray list)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{list.Count} IPv6 host(s) found.");
        var arguments = new JsonObject { ["hosts"] = list };
        return list.Count > 0 ? ControlAnswer.Success(text, arguments) : ControlAnswer.Empty(text, arguments);
    }

    /// <summary>
    /// A host as Kea's host commands show it: identifier, ip-addresses, prefixes, hostname, client-classes,
    /// option-data, subnet-id. A configuration host's option-data and user-context are its entry's, as written; a
    /// host database's are built from its rows.
    /// </summary>
    private static JsonObject ToJson(ConfigDocument document, HostReservation host, uint subnetId, bool fromDatabase = false)
    {
        JsonObject? entry = null;
        var list = fromDatabase ? [] : ScopeListOrEmpty(document, subnetId);
        foreach (var item in list)
        {
            if (item is JsonObject candidate && IdentifierOf(candidate) is ({ } t, { } bytes) && t == host.IdentifierType && bytes.AsSpan().SequenceEqual(host.Identifier))
            {
                entry = candidate;
                break;
            }
        }

        var map = new JsonObject();
        if (entry?["user-context"] is { } context)
        {
            map["user-context"] = context.DeepClone();
        }
        else if (fromDatabase && host.UserContext is { } stored)
        {
            map["user-context"] = JsonNode.Parse(stored);
        }

        map[HostIdentifierNames.ToKeaName(host.IdentifierType)] = IdentifierText(host.IdentifierType, host.Identifier);
        map["ip-addresses"] = new JsonArray([.. host.IpAddresses.Select(a => (JsonNode)a.ToString())]);
        map["prefixes"] = new JsonArray([.. host.Prefixes.Select(p => (JsonNode)p.ToString())]);
        if (fromDatabase && host.ExcludedPrefixes.Count > 0)
        {
            map["excluded-prefixes"] = new JsonArray([.. host.Prefixes.Select(p => (JsonNode)(host.ExcludedPrefixes.TryGetValue(p, out var x) ? x.ToString() : ""))]);
        }

        map["hostname"] = host.Hostname ?? "";
        map["client-classes"] = new JsonArray([.. host.ClientClasses.Select(c => (JsonNode)c)]);
        map["option-data"] = fromDatabase
            ? new JsonArray([.. host.Options.Select(o => (JsonNode)OptionJson(o))])
            : entry?["option-data"]?.DeepClone() ?? new JsonArray();
        map["subnet-id"] = subnetId;
        return map;
    }

    /// <summary>An option as Kea shows a stored one: its text when it has one (csv-format), else its data in hex.</summary>
    private static JsonObject OptionJson(OptionDescriptor option)
    {
        var map = new JsonObject
        {
            ["always-send"] = option.AlwaysSend,
            ["code"] = option.Code,
            ["csv-format"] = option.FormattedValue is not null,
            ["data"] = option.FormattedValue ?? Convert.ToHexString(option.Data),
        };
        if (option.Name is { } name)
        {
            map["name"] = name;
        }

        map["never-send"] = option.NeverSend;
        map["space"] = option.Space;
        if (option.ClientClasses is { Count: > 0 } classes)
        {
            map["client-classes"] = new JsonArray([.. classes.Select(c => (JsonNode)c)]);
        }

        if (option.UserContext is { } context)
        {
            map["user-context"] = JsonNode.Parse(context);
        }

        return map;
    }

    private static string IdentifierText(HostIdentifierType type, byte[] identifier) =>
        type == HostIdentifierType.FlexId ? Convert.ToHexString(identifier) : HexText.Format(identifier);

    private static string IdentifierTitle(HostIdentifierType type) => type switch
    {
        HostIdentifierType.HwAddress => "HW address",
        HostIdentifierType.Duid => "DUID",
        _ => "flex-id",
    };

    private static string KindName(JsonNode node) => node switch
    {
        JsonArray => "list",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => "integer",
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "map",
    };
}
