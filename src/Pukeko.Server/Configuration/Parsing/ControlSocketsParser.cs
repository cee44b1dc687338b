using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>control-sockets</c> (Kea 2.7+) and the older single <c>control-socket</c> map. UNIX socket paths follow
/// Kea 3.x: a bare name lives in the control socket directory (<c>KEA_CONTROL_SOCKET_DIR</c>), and an explicit path
/// anywhere else is rejected. Basic-authentication files are read here, so a missing file is a configuration error
/// with its path rather than a failure at the first request.
/// </summary>
internal static class ControlSocketsParser
{
    private static readonly KeyTable<ControlSocketDraft> Keys = new KeyTable<ControlSocketDraft>("control-socket")
        .On("socket-type", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                d.Valid = false;
                return;
            }

            ControlSocketType? type = s switch
            {
                "unix" => ControlSocketType.Unix,
                "http" => ControlSocketType.Http,
                "https" => ControlSocketType.Https,
                _ => null,
            };
            if (type is null)
            {
                c.Error(p, $"unsupported 'socket-type' '{s}' not in 'unix', 'http' or 'https'");
                d.Valid = false;
                return;
            }

            d.HasType = true;
            d.Config = d.Config with { Type = type.Value };
        })
        .On("socket-name", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                d.Valid = false;
                return;
            }

            if (ResolveSocketPath(s, c.Environment.ControlSocketDirectory) is { } error)
            {
                c.Error(p, error);
                d.Valid = false;
                return;
            }

            d.HasName = true;
            d.Config = d.Config with { SocketName = Path.GetFullPath(Path.Combine(c.Environment.ControlSocketDirectory, s)) };
        })
        .On("socket-address", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s) || !IPAddress.TryParse(s, out _))
            {
                if (v.ValueKind == JsonValueKind.String)
                {
                    c.Error(p, $"failed to convert '{s}' to address");
                }

                d.Valid = false;
                return;
            }

            d.Config = d.Config with { Address = s };
        })
        .On("socket-port", (d, v, p, c) =>
        {
            if (!c.TryInteger(v, p, 0, ushort.MaxValue, out var port))
            {
                d.Valid = false;
                return;
            }

            d.Config = d.Config with { Port = (int)port };
        })
        .On("trust-anchor", (d, v, p, c) => d.Config = d.Config with { TrustAnchor = OptionalString(d, v, p, c) })
        .On("cert-file", (d, v, p, c) => d.Config = d.Config with { CertFile = OptionalString(d, v, p, c) })
        .On("key-file", (d, v, p, c) => d.Config = d.Config with { KeyFile = OptionalString(d, v, p, c) })
        .On("cert-required", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Config = d.Config with { CertRequired = b };
            }
            else
            {
                d.Valid = false;
            }
        })
        .On("authentication", (d, v, p, c) =>
        {
            var auth = ParseAuthentication(v, p, c);
            if (auth is null)
            {
                d.Valid = false;
                return;
            }

            d.Config = d.Config with { Authentication = auth };
        })
        .On("http-headers", (d, v, p, c) =>
        {
            var headers = new List<HttpHeaderConfig>();
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                if (!c.ExpectKind(item, itemPath, JsonValueKind.Object))
                {
                    d.Valid = false;
                    continue;
                }

                string? name = null;
                string? value = null;
                foreach (var property in item.EnumerateObject())
                {
                    var keyPath = ParseContext.Child(itemPath, property.Name);
                    switch (property.Name)
                    {
                        case "name" when c.TryString(property.Value, keyPath, out var n):
                            name = n;
                            break;
                        case "value" when c.TryString(property.Value, keyPath, out var x):
                            value = x;
                            break;
                        case "name" or "value":
                            d.Valid = false;
                            break;
                        case "user-context" or "comment":
                            break;
                        default:
                            c.Error(keyPath, $"unknown parameter '{property.Name}' in http-headers");
                            d.Valid = false;
                            break;
                    }
                }

                if (string.IsNullOrEmpty(name) || value is null)
                {
                    c.Error(itemPath, "an http header needs a non-empty 'name' and a 'value'");
                    d.Valid = false;
                    continue;
                }

                headers.Add(new HttpHeaderConfig(name, value));
            }

            d.Config = d.Config with { HttpHeaders = headers };
        });

    private static readonly KeyTable<StrongBox<AuthenticationDraft>> AuthKeys = new KeyTable<StrongBox<AuthenticationDraft>>("authentication")
        .On("type", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                d.Value!.Valid = false;
                return;
            }

            if (s != "basic")
            {
                c.Error(p, $"unsupported authentication type '{s}' (only 'basic')");
                d.Value!.Valid = false;
            }

            d.Value!.HasType = true;
        })
        .On("realm", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Value!.Realm = s;
            }
        })
        .On("directory", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Value!.Directory = s;
            }
        })
        .On("clients", (d, v, p, c) =>
        {
            if (v.ValueKind == JsonValueKind.Array)
            {
                d.Value!.Clients = v.Clone();
                d.Value.ClientsPath = p;
            }
            else
            {
                c.ExpectKind(v, p, JsonValueKind.Array);
                d.Value!.Valid = false;
            }
        });

    /// <summary>Parses the list form; errors carry <c>Dhcp6/control-sockets[i]/...</c> paths.</summary>
    public static void ParseList(List<ControlSocketConfig> sockets, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            ParseOne(sockets, item, itemPath, context);
        }
    }

    /// <summary>Parses one map (the old <c>control-socket</c> form, or a list item).</summary>
    public static void ParseOne(List<ControlSocketConfig> sockets, JsonElement value, string path, ParseContext context)
    {
        var draft = new ControlSocketDraft();
        if (!Keys.Walk(value, path, draft, context) || !draft.Valid)
        {
            return;
        }

        if (!draft.HasType)
        {
            context.Error(path, "missing mandatory parameter 'socket-type'");
            return;
        }

        var config = draft.Config;
        if (config.Type == ControlSocketType.Unix)
        {
            if (!draft.HasName)
            {
                context.Error(path, "missing mandatory parameter 'socket-name'");
                return;
            }

            if (sockets.Any(s => s.Type == ControlSocketType.Unix))
            {
                context.Error(path, "only one 'unix' control socket is allowed");
                return;
            }
        }
        else
        {
            if (config.Type == ControlSocketType.Https && (config.CertFile is null || config.KeyFile is null))
            {
                context.Error(path, "an 'https' control socket needs 'cert-file' and 'key-file'");
                return;
            }

            if ((config.CertFile is null) != (config.KeyFile is null))
            {
                context.Error(path, "'cert-file' and 'key-file' must be given together");
                return;
            }

            if (sockets.Any(s => s.Type != ControlSocketType.Unix && s.Address == config.Address && s.Port == config.Port && s.Port != 0))
            {
                context.Error(path, $"another HTTP control socket already listens on {config.Address} port {config.Port}");
                return;
            }
        }

        sockets.Add(config);
    }

    /// <summary>
    /// Kea 3.x's rule: the socket must be in the control socket directory. Returns the error text, or null when
    /// the name is acceptable.
    /// </summary>
    public static string? ResolveSocketPath(string name, string socketDirectory)
    {
        var supported = Path.TrimEndingDirectorySeparator(Path.GetFullPath(socketDirectory));
        if (name.Trim().Length == 0)
        {
            return "'socket-name' is invalid: path must not be empty";
        }

        var full = Path.GetFullPath(Path.Combine(supported, name));
        var parent = Path.GetDirectoryName(full) ?? "/";
        if (name.EndsWith('/') || !string.Equals(Path.TrimEndingDirectorySeparator(parent), supported, StringComparison.Ordinal))
        {
            var given = Path.GetDirectoryName(name) is { Length: > 0 } d ? d : name;
            return $"'socket-name' is invalid: invalid path specified: '{given}', supported path is '{supported}'";
        }

        return null;
    }

    private static string? OptionalString(ControlSocketDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (context.TryString(value, path, out var s))
        {
            return s;
        }

        draft.Valid = false;
        return null;
    }

    private static ControlAuthentication? ParseAuthentication(JsonElement value, string path, ParseContext context)
    {
        var box = new StrongBox<AuthenticationDraft>(new AuthenticationDraft());
        if (!AuthKeys.Walk(value, path, box, context))
        {
            return null;
        }

        var draft = box.Value!;
        if (!draft.HasType)
        {
            context.Error(path, "missing mandatory parameter 'type'");
            return null;
        }

        if (!draft.Valid)
        {
            return null;
        }

        var clients = new List<ControlClientCredential>();
        if (draft.Clients is { } list)
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var itemPath = ParseContext.Item(draft.ClientsPath, i++);
                if (ParseClient(item, itemPath, draft.Directory, context) is { } client)
                {
                    clients.Add(client);
                }
            }
        }

        return new ControlAuthentication(draft.Realm, clients);
    }

    private static ControlClientCredential? ParseClient(JsonElement item, string path, string? directory, ParseContext context)
    {
        if (!context.ExpectKind(item, path, JsonValueKind.Object))
        {
            return null;
        }

        string? user = null;
        string? password = null;
        foreach (var property in item.EnumerateObject())
        {
            var keyPath = ParseContext.Child(path, property.Name);
            switch (property.Name)
            {
                case "user" or "password":
                    if (!context.TryString(property.Value, keyPath, out var s))
                    {
                        return null;
                    }

                    if (property.Name == "user")
                    {
                        user = s;
                    }
                    else
                    {
                        password = s;
                    }

                    break;
                case "user-file" or "password-file":
                    if (!context.TryString(property.Value, keyPath, out var file))
                    {
                        return null;
                    }

                    var content = ReadCredentialFile(file, directory, keyPath, context);
                    if (content is null)
                    {
                        return null;
                    }

                    if (property.Name == "user-file")
                    {
                        user = content;
                    }
                    else if (item.TryGetProperty("user", out _) || item.TryGetProperty("user-file", out _))
                    {
                        password = content;
                    }
                    else
                    {
                        // Without a user, Kea reads "user:password" from the password file.
                        var colon = content.IndexOf(':', StringComparison.Ordinal);
                        if (colon < 0)
                        {
                            context.Error(keyPath, $"file '{file}' must contain 'user:password' when no user is given");
                            return null;
                        }

                        user = content[..colon];
                        password = content[(colon + 1)..];
                    }

                    break;
                case "user-context" or "comment":
                    break;
                default:
                    context.Error(keyPath, $"unknown parameter '{property.Name}' in authentication clients");
                    return null;
            }
        }

        if (string.IsNullOrEmpty(user))
        {
            context.Error(path, "user cannot be empty");
            return null;
        }

        if (user.Contains(':', StringComparison.Ordinal))
        {
            context.Error(path, $"user '{user}' must not contain a ':'");
            return null;
        }

        return new ControlClientCredential(user, password ?? "");
    }

    private static string? ReadCredentialFile(string file, string? directory, string path, ParseContext context)
    {
        var full = Path.IsPathRooted(file) || directory is null ? file : Path.Combine(directory, file);
        try
        {
            // Trailing newlines come from `echo` and editors; Kea strips them too.
            return File.ReadAllText(full).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error(path, $"failed to read credential file '{full}': {ex.Message}");
            return null;
        }
    }
}
