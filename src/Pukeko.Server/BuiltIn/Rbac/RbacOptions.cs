using System.Collections.Frozen;
using System.Text.Json;

namespace Pukeko.Server.BuiltIn.Rbac;

/// <summary>How RBAC names the role of an HTTP request (<c>assign-role-method</c>).</summary>
internal enum RoleAssignment
{
    /// <summary>The client's IP address.</summary>
    RemoteAddress,

    /// <summary>The common name of the client certificate's subject.</summary>
    CertSubject,

    /// <summary>The common name of the client certificate's issuer.</summary>
    CertIssuer,

    /// <summary>The user of HTTP basic authentication.</summary>
    BasicAuthentication,

    /// <summary>A value another hook library sets; Pukeko has no such library, so the role is always the default one.</summary>
    CustomValue,
}

/// <summary>
/// The <c>parameters</c> of Kea's role-based access control library (<c>libdhcp_rbac.so</c>), built in: which role
/// an HTTP control request has and whether that role may run the command. Checked as a whole when the configuration
/// loads, so a mistake is refused with its JSON path.
/// </summary>
internal sealed record RbacOptions
{
    private static readonly string[] Keys =
        ["assign-role-method", "api-files", "require-tls", "commands", "access-control-lists", "roles", "default-role", "unknown-role", "comment"];

    private static readonly string[] RoleKeys = ["name", "accept-commands", "reject-commands", "other-commands", "list-match-first", "response-filters", "comment"];

    private static readonly FrozenDictionary<string, RoleAssignment> Methods = new Dictionary<string, RoleAssignment>(StringComparer.Ordinal)
    {
        ["remote-address"] = RoleAssignment.RemoteAddress,
        ["cert-subject"] = RoleAssignment.CertSubject,
        ["cert-issuer"] = RoleAssignment.CertIssuer,
        ["basic-authentication"] = RoleAssignment.BasicAuthentication,
        ["custom-value"] = RoleAssignment.CustomValue,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public required RoleAssignment Method { get; init; }

    /// <summary>Requests over plain HTTP are refused (default: only for the certificate-based methods).</summary>
    public required bool RequireTls { get; init; }

    /// <summary>The command definitions: the API files (or Pukeko's copy of Kea's), then <c>commands</c>.</summary>
    public required FrozenDictionary<string, CommandDefinition> Commands { get; init; }

    public required FrozenDictionary<string, RbacRole> Roles { get; init; }

    /// <summary>For a request whose role is empty.</summary>
    public required RbacRole DefaultRole { get; init; }

    /// <summary>For a request whose role is not configured.</summary>
    public required RbacRole UnknownRole { get; init; }

    /// <summary>The role configured for <paramref name="assigned"/> ("" is the default role).</summary>
    public RbacRole RoleFor(string assigned) =>
        assigned.Length == 0 ? DefaultRole : Roles.TryGetValue(assigned, out var role) ? role : UnknownRole;

    public bool Accepts(RbacRole role, string command)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Accepts(command, Commands.GetValueOrDefault(command));
    }

    /// <summary>
    /// Reads <paramref name="parameters"/>; each problem goes to <paramref name="error"/> with the JSON path of the value
    /// (<paramref name="path"/> is that of <c>parameters</c>). Null when there was any.
    /// </summary>
    public static RbacOptions? Parse(JsonElement? parameters, string path, Action<string, string> error, Action<string, string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (parameters is not { ValueKind: JsonValueKind.Object } map)
        {
            error(path, "the RBAC library needs parameters with 'assign-role-method' and 'api-files'");
            return null;
        }

        var ok = true;
        void Fail(string at, string message)
        {
            error(at, message);
            ok = false;
        }

        foreach (var property in map.EnumerateObject())
        {
            if (!Keys.Contains(property.Name, StringComparer.Ordinal))
            {
                Fail($"{path}/{property.Name}", $"spurious '{property.Name}' parameter");
            }
        }

        var method = RoleAssignment.CustomValue;
        if (!map.TryGetProperty("assign-role-method", out var methodValue))
        {
            Fail(path, "'assign-role-method' is required");
        }
        else if (methodValue.ValueKind != JsonValueKind.String || !Methods.TryGetValue(methodValue.GetString()!, out method))
        {
            Fail($"{path}/assign-role-method", $"unknown role assignment method {methodValue.GetRawText()}: expected one of {string.Join(", ", Methods.Keys.Order(StringComparer.Ordinal))}");
        }

        var commands = new Dictionary<string, CommandDefinition>(KeaCommandDefinitions.BuiltIn, StringComparer.Ordinal);
        if (!map.TryGetProperty("api-files", out var apiFiles))
        {
            Fail(path, "'api-files' is required");
        }
        else if (apiFiles.ValueKind != JsonValueKind.String || apiFiles.GetString() is not { Length: > 0 } directory)
        {
            Fail($"{path}/api-files", "'api-files' must be a non-empty string");
        }
        else if (Directory.Exists(directory))
        {
            commands = ReadApiFiles(directory, $"{path}/api-files", Fail) ?? commands;
        }
        else
        {
            warn?.Invoke($"{path}/api-files", $"the API files directory {directory} does not exist: Pukeko uses its copy of Kea 3.0's command definitions");
        }

        var requireTls = method is RoleAssignment.CertSubject or RoleAssignment.CertIssuer;
        if (map.TryGetProperty("require-tls", out var tls))
        {
            if (tls.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                requireTls = tls.GetBoolean();
            }
            else
            {
                Fail($"{path}/require-tls", "'require-tls' must be a boolean");
            }
        }

        if (map.TryGetProperty("commands", out var extra))
        {
            foreach (var (name, definition) in ReadCommandList(extra, $"{path}/commands", Fail))
            {
                commands[name] = definition;
            }
        }

        var lists = new Dictionary<string, AccessList>(StringComparer.Ordinal);
        if (map.TryGetProperty("access-control-lists", out var acls))
        {
            if (acls.ValueKind != JsonValueKind.Array)
            {
                Fail($"{path}/access-control-lists", "'access-control-lists' must be a list");
            }
            else
            {
                var index = 0;
                foreach (var item in acls.EnumerateArray())
                {
                    var at = $"{path}/access-control-lists[{index++}]";
                    if (item.ValueKind != JsonValueKind.Object || item.EnumerateObject().Count() != 1)
                    {
                        Fail(at, "an access control list definition must be a map with a single entry (its name)");
                        continue;
                    }

                    var entry = item.EnumerateObject().Single();
                    if (IsPredefined(entry.Name) || lists.ContainsKey(entry.Name))
                    {
                        Fail($"{at}/{entry.Name}", $"access control list '{entry.Name}' is already defined");
                        continue;
                    }

                    if (ReadList(entry.Value, $"{at}/{entry.Name}", lists, commands, Fail) is { } list)
                    {
                        lists[entry.Name] = list;
                    }
                }
            }
        }

        var roles = new Dictionary<string, RbacRole>(StringComparer.Ordinal);
        if (map.TryGetProperty("roles", out var roleList))
        {
            if (roleList.ValueKind != JsonValueKind.Array)
            {
                Fail($"{path}/roles", "'roles' must be a list");
            }
            else
            {
                var index = 0;
                foreach (var item in roleList.EnumerateArray())
                {
                    var at = $"{path}/roles[{index++}]";
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("name", out var nameValue) || nameValue.ValueKind != JsonValueKind.String
                        || nameValue.GetString() is not { Length: > 0 } name)
                    {
                        Fail(at, "a role must be a map with a non-empty 'name'");
                        continue;
                    }

                    if (roles.ContainsKey(name))
                    {
                        Fail($"{at}/name", $"role '{name}' is already defined");
                        continue;
                    }

                    if (ReadRole(item, at, named: true, lists, commands, Fail) is { } role)
                    {
                        roles[name] = role;
                    }
                }
            }
        }

        RbacRole Special(string key) => map.TryGetProperty(key, out var value)
            ? ReadRole(value, $"{path}/{key}", named: false, lists, commands, Fail) ?? RbacRole.RejectAll
            : RbacRole.RejectAll;

        var defaultRole = Special("default-role");
        var unknownRole = Special("unknown-role");
        return ok
            ? new RbacOptions
            {
                Method = method,
                RequireTls = requireTls,
                Commands = commands.ToFrozenDictionary(StringComparer.Ordinal),
                Roles = roles.ToFrozenDictionary(StringComparer.Ordinal),
                DefaultRole = defaultRole,
                UnknownRole = unknownRole,
            }
            : null;
    }

    private static bool IsPredefined(string name) => name is "ALL" or "NONE" or "READ" or "WRITE";

    private static RbacRole? ReadRole(
        JsonElement map, string path, bool named, Dictionary<string, AccessList> lists, Dictionary<string, CommandDefinition> commands, Action<string, string> fail)
    {
        if (map.ValueKind != JsonValueKind.Object)
        {
            fail(path, "a role must be a map");
            return null;
        }

        var ok = true;
        foreach (var property in map.EnumerateObject())
        {
            if (!RoleKeys.Contains(property.Name, StringComparer.Ordinal) || (!named && property.Name == "name"))
            {
                fail($"{path}/{property.Name}", $"spurious '{property.Name}' parameter in a role");
                ok = false;
            }
        }

        AccessList? List(string key)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return null;
            }

            var list = ReadList(value, $"{path}/{key}", lists, commands, fail);
            ok &= list is not null;
            return list;
        }

        bool Choice(string key, string whenTrue, string whenFalse, bool byDefault)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return byDefault;
            }

            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && (text == whenTrue || text == whenFalse))
            {
                return text == whenTrue;
            }

            fail($"{path}/{key}", $"'{key}' must be \"accept\" or \"reject\"");
            ok = false;
            return byDefault;
        }

        var accept = List("accept-commands");
        var reject = List("reject-commands");
        var acceptOthers = Choice("other-commands", "accept", "reject", byDefault: false);
        var rejectFirst = Choice("list-match-first", "reject", "accept", byDefault: false);
        var filter = false;
        if (map.TryGetProperty("response-filters", out var filters))
        {
            if (filters.ValueKind != JsonValueKind.Array)
            {
                fail($"{path}/response-filters", "'response-filters' must be a list");
                ok = false;
            }
            else
            {
                var index = 0;
                foreach (var item in filters.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.GetString() == "list-commands")
                    {
                        filter = true;
                    }
                    else
                    {
                        fail($"{path}/response-filters[{index}]", $"unknown response filter {item.GetRawText()}: the only one is \"list-commands\"");
                        ok = false;
                    }

                    index++;
                }
            }
        }

        return ok ? new RbacRole(accept, reject, acceptOthers, rejectFirst, filter) : null;
    }

    private static AccessList? ReadList(
        JsonElement spec, string path, Dictionary<string, AccessList> lists, Dictionary<string, CommandDefinition> commands, Action<string, string> fail)
    {
        if (spec.ValueKind == JsonValueKind.String)
        {
            var name = spec.GetString()!;
            AccessList? list = name switch
            {
                "ALL" => AccessList.All,
                "NONE" => AccessList.None,
                "READ" => AccessList.Read,
                "WRITE" => AccessList.Write,
                _ => lists.GetValueOrDefault(name),
            };
            if (list is null)
            {
                fail(path, $"unknown access control list '{name}'");
            }

            return list;
        }

        if (spec.ValueKind != JsonValueKind.Object || spec.EnumerateObject().Count() != 1)
        {
            fail(path, "an access control list is a name or a map with a single entry");
            return null;
        }

        var entry = spec.EnumerateObject().Single();
        var at = $"{path}/{entry.Name}";
        switch (entry.Name)
        {
            case "not":
                return ReadList(entry.Value, at, lists, commands, fail) is { } negated ? new AccessList.Not(negated) : null;
            case "and" or "or":
                if (entry.Value.ValueKind != JsonValueKind.Array)
                {
                    fail(at, $"'{entry.Name}' takes a list of access control lists");
                    return null;
                }

                var operands = new List<AccessList>();
                var index = 0;
                var ok = true;
                foreach (var item in entry.Value.EnumerateArray())
                {
                    if (ReadList(item, $"{at}[{index++}]", lists, commands, fail) is { } operand)
                    {
                        operands.Add(operand);
                    }
                    else
                    {
                        ok = false;
                    }
                }

                return !ok ? null : entry.Name == "and" ? new AccessList.And(operands) : new AccessList.Or(operands);
            case "commands" or "command":
                return ReadNames(entry.Value, at, commands, fail);
            case "access":
                return entry.Value.ValueKind == JsonValueKind.String && entry.Value.GetString() is "read" or "write"
                    ? entry.Value.GetString() == "read" ? AccessList.Read : AccessList.Write
                    : Failed(at, "'access' must be \"read\" or \"write\"");
            case "hook":
                return entry.Value.ValueKind == JsonValueKind.String
                    ? new AccessList.ByHook(entry.Value.GetString()!)
                    : Failed(at, "'hook' must be a string (a hook library's name, or \"\" for the server's own commands)");
            default:
                return Failed(at, $"unknown access control list type '{entry.Name}': expected not, and, or, commands, access or hook");
        }

        AccessList? Failed(string where, string message)
        {
            fail(where, message);
            return null;
        }
    }

    /// <summary>An explicit list of commands; each must be defined, as Kea refuses to start on an unknown one.</summary>
    private static AccessList.ByName? ReadNames(JsonElement value, string path, Dictionary<string, CommandDefinition> commands, Action<string, string> fail)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            fail(path, "a command list must be a list of command names");
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } name)
            {
                fail($"{path}[{index}]", "a command name must be a non-empty string");
                ok = false;
            }
            else if (!commands.ContainsKey(name))
            {
                fail($"{path}[{index}]", $"unknown command '{name}': define it in 'commands' or in an API file");
                ok = false;
            }
            else
            {
                names.Add(name);
            }

            index++;
        }

        return ok ? new AccessList.ByName(names.ToFrozenSet(StringComparer.Ordinal)) : null;
    }

    private static List<(string Name, CommandDefinition Definition)> ReadCommandList(JsonElement value, string path, Action<string, string> fail)
    {
        var result = new List<(string, CommandDefinition)>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            fail(path, "'commands' must be a list");
            return result;
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (ReadDefinition(item, $"{path}[{index++}]", fail) is { } definition)
            {
                result.Add(definition);
            }
        }

        return result;
    }

    /// <summary>A command definition: <c>name</c> and <c>access</c> (mandatory), <c>hook</c>; other keys (Kea's API files have many) are ignored.</summary>
    private static (string Name, CommandDefinition Definition)? ReadDefinition(JsonElement item, string path, Action<string, string> fail)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } commandName)
        {
            fail(path, "a command definition must be a map with a non-empty 'name'");
            return null;
        }

        if (!item.TryGetProperty("access", out var access) || access.ValueKind != JsonValueKind.String || access.GetString() is not ("read" or "write"))
        {
            fail($"{path}/access", $"command '{commandName}': 'access' must be \"read\" or \"write\"");
            return null;
        }

        var hook = "";
        if (item.TryGetProperty("hook", out var hookValue))
        {
            if (hookValue.ValueKind != JsonValueKind.String)
            {
                fail($"{path}/hook", $"command '{commandName}': 'hook' must be a string");
                return null;
            }

            hook = hookValue.GetString()!;
        }

        return (commandName, new CommandDefinition(access.GetString() == "read" ? CommandAccess.Read : CommandAccess.Write, hook));
    }

    /// <summary>The definitions in a directory of Kea API files (<c>*.json</c>, one command each), as Kea reads them: only those.</summary>
    private static Dictionary<string, CommandDefinition>? ReadApiFiles(string directory, string path, Action<string, string> fail)
    {
        var result = new Dictionary<string, CommandDefinition>(StringComparer.Ordinal);
        var ok = true;
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            // Kea's own directory holds a template that is not JSON; skip it as Kea does.
            if (Path.GetFileName(file).StartsWith('_'))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
                if (ReadDefinition(document.RootElement, $"{path} ({file})", fail) is { } definition)
                {
                    result[definition.Name] = definition.Definition;
                }
                else
                {
                    ok = false;
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                fail(path, $"cannot read the API file {file}: {ex.Message}");
                ok = false;
            }
        }

        return ok ? result : null;
    }
}
