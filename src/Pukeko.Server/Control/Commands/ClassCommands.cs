using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's class_cmds commands, built in: <c>client-classes</c> of the configuration listed, shown, added (at the end),
/// replaced (in place) and deleted. They exist only while <c>libdhcp_class_cmds.so</c> is in <c>hooks-libraries</c>.
/// Changes are validated as a whole configuration and swapped in.
/// </summary>
internal static class ClassCommands
{
    public const string Library = "libdhcp_class_cmds.so";

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        bool Available() => server.HasKeaLibrary(Library);
        DhcpConfig Running() => server.Config ?? throw new CommandArgumentException("no configuration is running");
        dispatcher.Register("class-list", HostCommands.Sync(_ => List(Running())), Available);
        dispatcher.Register("class-get", HostCommands.Sync(c => Get(Running(), c)), Available);
        dispatcher.Register("class-add", (c, t) => AddAsync(server, c, t), Available);
        dispatcher.Register("class-update", (c, t) => UpdateAsync(server, c, t), Available);
        dispatcher.Register("class-del", (c, t) => DeleteAsync(server, c, t), Available);
    }

    private static JsonObject List(DhcpConfig config)
    {
        var list = new JsonArray([.. config.ClientClasses.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name })]);
        var text = string.Create(CultureInfo.InvariantCulture, $"{list.Count} class{(list.Count == 1 ? "" : "es")} found");
        var arguments = new JsonObject { ["client-classes"] = list };
        return list.Count > 0 ? ControlAnswer.Success(text, arguments) : ControlAnswer.Empty(text, arguments);
    }

    private static JsonObject Get(DhcpConfig config, ControlCommand command)
    {
        var name = NameArgument(command.Arguments, "class-get");
        if (FindClass(ConfigDocument.Of(config), name) is not { } definition)
        {
            return ControlAnswer.Empty($"Class '{name}' not found");
        }

        return ControlAnswer.Success($"Class '{name}' definition returned", new JsonObject { ["client-classes"] = new JsonArray(definition.DeepClone()) });
    }

    private static async ValueTask<JsonObject> AddAsync(Dhcp6Server server, ControlCommand command, CancellationToken cancellationToken)
    {
        var definition = OneClass(command.Arguments, "class-add");
        var name = definition["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new CommandArgumentException("missing parameter 'name'");
        var config = server.Config ?? throw new CommandArgumentException("no configuration is running");
        if (config.ClientClasses.Any(c => c.Name == name))
        {
            throw new CommandArgumentException($"Client Class: class '{name}' is already defined");
        }

        await ConfigChange.ApplyAsync(server, "class-add", document => ConfigDocument.ListOf(document.Dhcp6, "client-classes").Add(definition.DeepClone()), cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "CLASS_CMDS_CLASS_ADD", "class-add", definition);
        return ControlAnswer.Success($"Class '{name}' added");
    }

    private static async ValueTask<JsonObject> UpdateAsync(Dhcp6Server server, ControlCommand command, CancellationToken cancellationToken)
    {
        var definition = OneClass(command.Arguments, "class-update");
        var name = definition["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new CommandArgumentException("the first class definition is missing a mandatory 'name' parameter");
        var config = server.Config ?? throw new CommandArgumentException("no configuration is running");
        if (config.ClientClasses.FirstOrDefault(c => c.Name == name) is not { } previous)
        {
            return ControlAnswer.Empty($"Class '{name}' is not found");
        }

        await ConfigChange.ApplyAsync(
            server,
            "class-update",
            document =>
            {
                var list = (JsonArray)document.Dhcp6["client-classes"]!;
                list[list.IndexOf(FindClass(document, name))] = definition.DeepClone();
            },
            cancellationToken,
            next => next.ClientClasses.First(c => c.Name == name).DependsOnKnown == previous.DependsOnKnown
                ? null
                : $"modification of the class '{name}' would affect its dependency on the KNOWN and/or UNKNOWN built-in classes. Such modification is not allowed because there may be other classes depending on those built-ins via the updated class").ConfigureAwait(false);
        ConfigChange.Log(server, "CLASS_CMDS_CLASS_UPDATE", "class-update", definition);
        return ControlAnswer.Success($"Class '{name}' updated");
    }

    private static async ValueTask<JsonObject> DeleteAsync(Dhcp6Server server, ControlCommand command, CancellationToken cancellationToken)
    {
        var name = NameArgument(command.Arguments, "class-del");
        var config = server.Config ?? throw new CommandArgumentException("no configuration is running");
        if (config.ClientClasses.All(c => c.Name != name))
        {
            return ControlAnswer.Empty($"Class '{name}' not found");
        }

        if (config.ClientClasses.FirstOrDefault(c => (c.Test ?? c.TemplateTest)?.MemberOf.Contains(name) == true) is { } dependent)
        {
            throw new CommandArgumentException($"Class '{name}' is used by class '{dependent.Name}'");
        }

        await ConfigChange.ApplyAsync(
            server,
            "class-del",
            document => ((JsonArray)document.Dhcp6["client-classes"]!).Remove(FindClass(document, name)),
            cancellationToken).ConfigureAwait(false);
        ConfigChange.Log(server, "CLASS_CMDS_CLASS_DEL", "class-del", command.Arguments);
        return ControlAnswer.Success($"Class '{name}' deleted");
    }

    private static JsonObject? FindClass(ConfigDocument document, string name) =>
        (document.Dhcp6["client-classes"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == name);

    private static string NameArgument(JsonObject? args, string commandName)
    {
        if (args is null)
        {
            throw new CommandArgumentException($"no arguments specified for the '{commandName}' command");
        }

        if (args.Count != 1)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"invalid number of arguments {args.Count} for the '{commandName}' command. Expecting 'name' string"));
        }

        if (!args.TryGetPropertyValue("name", out var node) || node is null)
        {
            throw new CommandArgumentException($"missing 'name' argument for the '{commandName}' command");
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new CommandArgumentException($"'name' argument specified for the '{commandName}' command is not a string");
    }

    private static JsonObject OneClass(JsonObject? args, string commandName)
    {
        if (args is null)
        {
            throw new CommandArgumentException($"no arguments specified for the '{commandName}' command");
        }

        if (args.Count != 1)
        {
            throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"invalid number of arguments {args.Count} for the '{commandName}' command. Expecting 'client-classes' list"));
        }

        if (!args.TryGetPropertyValue("client-classes", out var node) || node is null)
        {
            throw new CommandArgumentException($"missing 'client-classes' argument for the '{commandName}' command");
        }

        var list = node as JsonArray ?? throw new CommandArgumentException($"'client-classes' argument specified for the '{commandName}' command is not a list");
        if (list.Count != 1)
        {
            throw new CommandArgumentException($"invalid number of classes specified for the '{commandName}' command. Expected one class");
        }

        return list[0] as JsonObject ?? throw new CommandArgumentException($"invalid class definition specified for the '{commandName}' command. Expected a map");
    }
}
