using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// The bodies of the subnet and shared-network commands, with Kea's arguments, result codes and texts. Subnets are
/// shown as written in the configuration (with their id), without their reservations, which belong to the host
/// commands: an update keeps a subnet's reservations, a move between networks carries them along.
/// </summary>
internal sealed class SubnetCommandHandlers(Dhcp6Server server)
{
    private DhcpConfig Running => server.Config ?? throw new CommandArgumentException("no configuration is running");

    public JsonObject List(ControlCommand command)
    {
        var list = new JsonArray();
        foreach (var subnet in Running.Subnets.OrderBy(s => s.Id))
        {
            list.Add(new JsonObject { ["id"] = subnet.Id, ["subnet"] = subnet.Prefix.ToString(), ["shared-network-name"] = subnet.SharedNetwork?.Name });
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{list.Count} IPv6 subnet{(list.Count == 1 ? "" : "s")} found");
        var arguments = new JsonObject { ["subnets"] = list };
        return list.Count > 0 ? ControlAnswer.Success(text, arguments) : ControlAnswer.Empty(text, arguments);
    }

    public JsonObject Get(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no arguments specified for the 'subnet6-get' command");
        if (args.Count != 1)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"invalid number of arguments {args.Count} for the 'subnet6-get' command. Expecting 'id' or 'subnet'"));
        }

        var config = Running;
        Subnet6? subnet;
        string missing;
        if (args.ContainsKey("subnet"))
        {
            var text = args["subnet"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new CommandArgumentException("'subnet' parameter must be a string");
            subnet = Ipv6Prefix.TryParse(text.Trim(), out var prefix, out _)
                ? config.Subnets.FirstOrDefault(s => s.Prefix.Length == prefix.Length && s.Prefix.First == prefix.First)
                : null;
            missing = $"No {text} subnet found";
        }
        else if (args.ContainsKey("id"))
        {
            var id = args["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var x)
                ? x
                : throw new CommandArgumentException("'id' parameter must be an integer");
            subnet = id is > 0 and <= HostQuery.MaxSubnetId ? config.FindSubnet((uint)id) : null;
            missing = string.Create(CultureInfo.InvariantCulture, $"No subnet with id {id} found");
        }
        else
        {
            throw new CommandArgumentException("'id' or 'subnet' parameter required");
        }

        if (subnet is null)
        {
            return ControlAnswer.Empty(missing);
        }

        var document = Pinned(config);
        var map = Shown(document.FindSubnet(subnet.Id)!.Map);
        return ControlAnswer.Success($"Info about IPv6 subnet {subnet.Prefix} (id {subnet.Id}) returned", new JsonObject { ["subnet6"] = new JsonArray(map) });
    }

    public async ValueTask<JsonObject> AddAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var subnet = OneSubnet(command.Arguments, "subnet6-add");
        if (subnet.ContainsKey("reservations"))
        {
            throw new CommandArgumentException("must not specify host reservations with 'subnet6-add'. Use 'reservation-add' to add a reservation to a subnet");
        }

        var entry = (JsonObject)subnet.DeepClone();
        var config = Running;
        var id = HostQuery.SubnetIdOf(entry, "id") ?? 0;
        if (id == 0)
        {
            // Kea numbers a subnet added without an id itself; here: one above the highest id in use.
            id = config.Subnets.Count == 0 ? 1 : config.Subnets.Max(s => s.Id) + 1;
            entry["id"] = id;
        }

        await ConfigChange.ApplyAsync(server, "subnet6-add", document => ConfigDocument.ListOf(document.Dhcp6, "subnet6").Add(entry), cancellationToken).ConfigureAwait(false);
        var added = Running.FindSubnet(id)!;
        ConfigChange.Log(server, "SUBNET_CMDS_SUBNET_ADD", "subnet6-add", subnet);
        return ControlAnswer.Success("IPv6 subnet added", IdAndPrefix(added));
    }

    public async ValueTask<JsonObject> UpdateAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var subnet = OneSubnet(command.Arguments, "subnet6-update");
        var id = RequireId(subnet, "subnet6-update");
        if (Running.FindSubnet(id) is null)
        {
            throw new CommandArgumentException($"Can't find subnet '{id}' to update");
        }

        await ConfigChange.ApplyAsync(
            server,
            "subnet6-update",
            document =>
            {
                var node = document.FindSubnet(id)!;
                var entry = (JsonObject)subnet.DeepClone();
                if (node.Map["reservations"] is { } reservations)
                {
                    entry["reservations"] = reservations.DeepClone();
                }

                node.Owner[node.Owner.IndexOf(node.Map)] = entry;
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_SUBNET_UPDATE", "subnet6-update", subnet);
        return ControlAnswer.Success("IPv6 subnet updated", IdAndPrefix(Running.FindSubnet(id)!));
    }

    public async ValueTask<JsonObject> DeleteAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no arguments specified for the 'subnet6-del' command");
        if (args.Count != 1)
        {
            throw new CommandArgumentException("invalid number of arguments specified for the 'subnet6-del command. Expected subnet identifier");
        }

        if (!args.TryGetPropertyValue("id", out var node) || node is null)
        {
            throw new CommandArgumentException("subnet identifier is required for the 'subnet6-del' command");
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var id))
        {
            throw new CommandArgumentException("subnet identifier specified for the 'subnet6-del' is not a number");
        }

        var subnet = id is > 0 and <= HostQuery.MaxSubnetId ? Running.FindSubnet((uint)id) : null;
        if (subnet is null)
        {
            return ControlAnswer.Empty(string.Create(CultureInfo.InvariantCulture, $"no subnet with id {id} found"));
        }

        await ConfigChange.ApplyAsync(
            server,
            "subnet6-del",
            document =>
            {
                var found = document.FindSubnet(subnet.Id)!;
                found.Owner.Remove(found.Map);
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_SUBNET_DEL", "subnet6-del", args);
        return ControlAnswer.Success($"IPv6 subnet {subnet.Prefix} (id {subnet.Id}) deleted", IdAndPrefix(subnet));
    }

    public async ValueTask<JsonObject> DeltaAsync(ControlCommand command, bool add, CancellationToken cancellationToken)
    {
        var name = add ? "subnet6-delta-add" : "subnet6-delta-del";
        var delta = OneSubnet(command.Arguments, name);
        if (delta.ContainsKey("reservations"))
        {
            throw new CommandArgumentException($"must not specify host reservations with '{name}'.");
        }

        var id = RequireId(delta, name);
        var config = Running;
        if (config.FindSubnet(id) is null)
        {
            throw new CommandArgumentException($"Can't find subnet '{id}' to update");
        }

        var merger = new SubnetDelta(config.OptionDefinitions);
        await ConfigChange.ApplyAsync(
            server,
            name,
            document =>
            {
                var map = document.FindSubnet(id)!.Map;
                if (add)
                {
                    merger.Add(map, delta);
                }
                else
                {
                    merger.Delete(map, delta);
                }
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_SUBNET_UPDATE", name, delta);
        return ControlAnswer.Success("IPv6 subnet updated", IdAndPrefix(Running.FindSubnet(id)!));
    }

    public JsonObject NetworkList(ControlCommand command)
    {
        var list = new JsonArray([.. Running.SharedNetworks.Select(n => (JsonNode)new JsonObject { ["name"] = n.Name })]);
        var text = string.Create(CultureInfo.InvariantCulture, $"{list.Count} IPv6 network{(list.Count == 1 ? "" : "s")} found");
        var arguments = new JsonObject { ["shared-networks"] = list };
        return list.Count > 0 ? ControlAnswer.Success(text, arguments) : ControlAnswer.Empty(text, arguments);
    }

    public JsonObject NetworkGet(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no arguments specified for the 'network6-get' command");
        if (!args.TryGetPropertyValue("name", out var node) || node is null)
        {
            throw new CommandArgumentException("invalid 'network6-get': missing mandatory 'name' parameter");
        }

        var name = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new CommandArgumentException("'name' parameter must be a string");
        if (Pinned(Running).FindNetwork(name) is not { } network)
        {
            return ControlAnswer.Empty($"No '{name}' shared network found");
        }

        var shown = (JsonObject)network.DeepClone();
        if (shown["subnet6"] is JsonArray members)
        {
            for (var i = 0; i < members.Count; i++)
            {
                if (members[i] is JsonObject member)
                {
                    members[i] = Shown(member);
                }
            }
        }

        return ControlAnswer.Success($"Info about IPv6 shared network '{name}' returned", new JsonObject { ["shared-networks"] = new JsonArray(shown) });
    }

    public async ValueTask<JsonObject> NetworkAddAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no arguments specified for the 'network6-add' command");
        if (!args.TryGetPropertyValue("shared-networks", out var node) || node is null)
        {
            throw new CommandArgumentException("missing 'shared-networks' argument for the 'network6-add' command");
        }

        var list = node as JsonArray ?? throw new CommandArgumentException("'shared-networks' argument specified for the 'network6-add' command is not a list");
        if (list.Count != 1)
        {
            throw new CommandArgumentException("invalid number of networks specified for the 'network6-add' command. Expected one network");
        }

        var network = list[0] as JsonObject ?? throw new CommandArgumentException("invalid network information specified for the'network6-add' command. Expected a map");
        var name = network["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new CommandArgumentException("missing parameter 'name'");
        if (Running.SharedNetworks.Any(n => n.Name == name))
        {
            throw new CommandArgumentException($"A shared network with name '{name}' already exists");
        }

        await ConfigChange.ApplyAsync(server, "network6-add", document => ConfigDocument.ListOf(document.Dhcp6, "shared-networks").Add(network.DeepClone()), cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_NETWORK_ADD", "network6-add", network);
        return ControlAnswer.Success($"A new IPv6 shared network '{name}' added", new JsonObject { ["shared-networks"] = new JsonArray(new JsonObject { ["name"] = name }) });
    }

    public async ValueTask<JsonObject> NetworkDeleteAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("no arguments specified for the 'network6-del' command");
        if (!args.TryGetPropertyValue("name", out var node) || node is null)
        {
            throw new CommandArgumentException("network name ('name') is required for the 'network6-del' command");
        }

        var name = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new CommandArgumentException("network name ('name') specified for the 'network6-del' is not a string");
        var deleteSubnets = false;
        if (args.TryGetPropertyValue("subnets-action", out var action) && action is not null)
        {
            var text = action is JsonValue a && a.GetValueKind() == JsonValueKind.String
                ? a.GetValue<string>()
                : throw new CommandArgumentException("subnets-action parameter for network6-del command must be a string. Supported values are: 'keep' and 'delete'.");
            deleteSubnets = text switch
            {
                "keep" => false,
                "delete" => true,
                _ => throw new CommandArgumentException($"Invalid value for subnets-action parameter: {text}, Supported values: 'keep' and 'delete'."),
            };
        }

        if (Running.SharedNetworks.All(n => n.Name != name))
        {
            return ControlAnswer.Empty($"no shared network with name '{name}' found");
        }

        await ConfigChange.ApplyAsync(
            server,
            "network6-del",
            document =>
            {
                var network = document.FindNetwork(name)!;
                ((JsonArray)document.Dhcp6["shared-networks"]!).Remove(network);
                if (!deleteSubnets && network["subnet6"] is JsonArray members)
                {
                    // Kept subnets become plain subnets, with their reservations.
                    var plain = ConfigDocument.ListOf(document.Dhcp6, "subnet6");
                    foreach (var member in members.ToList())
                    {
                        members.Remove(member);
                        plain.Add(member);
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_NETWORK_DEL", "network6-del", args);
        return ControlAnswer.Success($"IPv6 shared network '{name}' deleted", new JsonObject { ["shared-networks"] = new JsonArray(new JsonObject { ["name"] = name }) });
    }

    public async ValueTask<JsonObject> NetworkSubnetAddAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var (name, id) = NetworkAndSubnet(command.Arguments, "network6-subnet-add");
        var config = Running;
        if (config.SharedNetworks.All(n => n.Name != name))
        {
            return ControlAnswer.Empty($"no IPv6 shared network with name '{name}' found");
        }

        if (config.FindSubnet(id) is not { } subnet)
        {
            return ControlAnswer.Empty($"no IPv6 subnet with id '{id}' found");
        }

        if (subnet.SharedNetwork is not null)
        {
            throw new CommandArgumentException($"subnet {id} being added to a shared network already belongs to a shared network");
        }

        await ConfigChange.ApplyAsync(
            server,
            "network6-subnet-add",
            document =>
            {
                var node = document.FindSubnet(id)!;
                node.Owner.Remove(node.Map);
                ConfigDocument.ListOf(document.FindNetwork(name)!, "subnet6").Add(node.Map);
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_NETWORK_SUBNET_ADD", "network6-subnet-add", command.Arguments);
        return ControlAnswer.Success($"IPv6 subnet {subnet.Prefix} (id {id}) is now part of shared network '{name}'");
    }

    public async ValueTask<JsonObject> NetworkSubnetDeleteAsync(ControlCommand command, CancellationToken cancellationToken)
    {
        var (name, id) = NetworkAndSubnet(command.Arguments, "network6-subnet-del");
        var config = Running;
        var network = config.SharedNetworks.FirstOrDefault(n => n.Name == name);
        if (network is null)
        {
            return ControlAnswer.Empty($"no IPv6 shared network with name '{name}' found");
        }

        if (network.Subnets.FirstOrDefault(s => s.Id == id) is not { } subnet)
        {
            return ControlAnswer.Empty($"The IPv6 subnet with id {id} is not part of the shared network with name '{name}' found");
        }

        await ConfigChange.ApplyAsync(
            server,
            "network6-subnet-del",
            document =>
            {
                var node = document.FindSubnet(id)!;
                node.Owner.Remove(node.Map);
                ConfigDocument.ListOf(document.Dhcp6, "subnet6").Add(node.Map);
            },
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "SUBNET_CMDS_NETWORK_SUBNET_DEL", "network6-subnet-del", command.Arguments);
        return ControlAnswer.Success($"IPv6 subnet {subnet.Prefix} (id {id}) is now removed from shared network '{name}'");
    }

    private static ConfigDocument Pinned(DhcpConfig config)
    {
        var document = ConfigDocument.Of(config);
        document.PinSubnetIds();
        return document;
    }

    /// <summary>A subnet's map as the commands show it: as written, with its id, without its reservations.</summary>
    private static JsonObject Shown(JsonObject subnet)
    {
        var copy = (JsonObject)subnet.DeepClone();
        copy.Remove("reservations");
        return copy;
    }

    private static JsonObject IdAndPrefix(Subnet6 subnet) =>
        new() { ["subnets"] = new JsonArray(new JsonObject { ["id"] = subnet.Id, ["subnet"] = subnet.Prefix.ToString() }) };

    /// <summary>The one subnet map of <c>{"subnet6": [ {...} ]}</c>, with Kea's messages for every other shape.</summary>
    private static JsonObject OneSubnet(JsonObject? args, string commandName)
    {
        if (args is null)
        {
            throw new CommandArgumentException($"no arguments specified for the '{commandName}' command");
        }

        if (args.Count != 1)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"invalid number of arguments {args.Count} for the '{commandName}' command. Expecting 'subnet6' list"));
        }

        if (!args.TryGetPropertyValue("subnet6", out var node) || node is null)
        {
            throw new CommandArgumentException($"missing 'subnet6' argument for the '{commandName}' command");
        }

        var list = node as JsonArray ?? throw new CommandArgumentException($"'subnet6' argument specified for the '{commandName}' command is not a list");
        if (list.Count != 1)
        {
            throw new CommandArgumentException($"invalid number of subnets specified for the '{commandName}' command. Expected one subnet");
        }

        return list[0] as JsonObject ?? throw new CommandArgumentException($"invalid subnet information specified for the'{commandName}' command. Expected a map");
    }

    private static uint RequireId(JsonObject subnet, string commandName)
    {
        if (subnet["id"] is null)
        {
            throw new CommandArgumentException($"must specify subnet id with '{commandName}' command.");
        }

        var id = HostQuery.SubnetIdOf(subnet, "id")!.Value;
        return id != 0 ? id : throw new CommandArgumentException("out of range value (0) specified for parameter 'id'");
    }

    private static (string Name, uint Id) NetworkAndSubnet(JsonObject? args, string commandName)
    {
        if (args is null)
        {
            throw new CommandArgumentException($"no arguments specified for the '{commandName}' command");
        }

        if (!args.TryGetPropertyValue("name", out var name) || name is null)
        {
            throw new CommandArgumentException($"missing 'name' argument for the '{commandName}' command");
        }

        if (name is not JsonValue n || n.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException($"'name' argument specified for the '{commandName}' command is not a string");
        }

        if (!args.TryGetPropertyValue("id", out var id) || id is null)
        {
            throw new CommandArgumentException($"missing 'id' argument for the '{commandName}' command");
        }

        if (id is not JsonValue i || i.GetValueKind() != JsonValueKind.Number || !i.TryGetValue<long>(out var value) || value is < 1 or > HostQuery.MaxSubnetId)
        {
            throw new CommandArgumentException($"'id' argument specified for the '{commandName}' command is not a valid subnet id");
        }

        return (n.GetValue<string>(), (uint)value);
    }
}
