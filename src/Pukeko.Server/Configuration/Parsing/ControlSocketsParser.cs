using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>control-sockets</c> (Kea 2.7+) and the older single <c>control-socket</c> map. A bare UNIX socket name
/// lives in the control socket directory (<c>KEA_CONTROL_SOCKET_DIR</c>), as in Kea 3.x. Basic-authentication files
/// are read here, so a missing file is a configuration error with its path rather than a failure at the first request.
/// </summary>
/// <remarks>
/// Where a socket may live depends on which Kea the file was written for, because Pukeko must never be stricter
/// than that Kea. Kea 3.x refuses a socket outside the directory (<c>-X</c> turns that into a warning); Kea 2.x had no
/// such rule and its own examples use <c>/tmp/kea6-ctrl-socket</c>. Kea 2.x only knew the single
/// <c>control-socket</c> map and Kea 3.x writes the <c>control-sockets</c> list, so the form tells them apart: the
/// single map accepts any path with a warning, the list keeps Kea 3.x's rule. A name without a file part is refused
/// in every form, as Kea 3.x does even with <c>-X</c>.
/// </remarks>
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

            var directory = c.Environment.ControlSocketDirectory;
            if (NoFileName(s) is { } noFile)
            {
                c.Error(p, noFile);
                d.Valid = false;
                return;
            }

            d.HasName = true;
            if (ResolveSocketPath(s, directory) is not { } outside)
            {
                d.Config = d.Config with { SocketName = Path.GetFullPath(Path.Combine(directory, s.Trim())) };
                return;
            }

            if (!d.LegacyForm && !c.Environment.RelaxedSecurity)
            {
                c.Error(p, outside);
                d.Valid = false;
                return;
            }

            // Used as written (relative to the working directory), as both Kea 2.x and Kea 3.x with -X do.
            var why = c.Environment.RelaxedSecurity
                ? "accepted because security checks are relaxed (-X)"
                : "accepted in the Kea 2.x 'control-socket' form; Kea 3.x and the 'control-sockets' list refuse it";
            c.Warn(p, $"{outside}; {why}", "COMMAND_UNIX_SOCKET_PATH_SECURITY_WARNING");
            d.Config = d.Config with { SocketName = Path.GetFullPath(s.Trim()), InSocketDirectory = false };
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

    /// <summary>Parses the Kea 3.x list form; errors carry <c>Dhcp6/control-sockets[i]/...</c> paths.</summary>
    public static void ParseList(List<ControlSocketConfig> sockets, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            ParseOne(sockets, item, itemPath, context, legacyForm: false);
        }
    }

    /// <summary>Parses the Kea 2.x single <c>control-socket</c> map.</summary>
    public static void ParseSingle(List<ControlSocketConfig> sockets, JsonElement value, string path, ParseContext context) =>
        ParseOne(sockets, value, path, context, legacyForm: true);

    private static void ParseOne(List<ControlSocketConfig> sockets, JsonElement value, string path, ParseContext context, bool legacyForm)
    {
        var draft = new ControlSocketDraft { LegacyForm = legacyForm };
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

            if (!CheckSecured(config, path, context))
            {
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
    /// Kea 3.1+ refuses an HTTP control socket that has neither basic authentication nor a full TLS setup
    /// (trust-anchor, cert-file and key-file), and <c>-X</c> turns that into a warning. Kea 3.0 had no such rule, so
    /// Pukeko keeps the refusal where it matters, a socket reachable from other hosts, and only warns on loopback.
    /// Returns false when the socket is refused.
    /// </summary>
    public static bool CheckSecured(ControlSocketConfig config, string path, ParseContext context)
    {
        var fullTls = config.TrustAnchor is not null && config.CertFile is not null && config.KeyFile is not null;
        if (config.Authentication is not null || fullTls)
        {
            return true;
        }

        var loopback = IPAddress.TryParse(config.Address, out var address) && IPAddress.IsLoopback(address);
        if (!loopback && !context.Environment.RelaxedSecurity)
        {
            context.Error(path, $"Unsecured HTTP control channel on non-loopback address {config.Address}: configure 'authentication' or TLS ('trust-anchor', 'cert-file', 'key-file'), or start with -X");
            return false;
        }

        var why = loopback ? "loopback address" : "security checks are relaxed (-X)";
        context.Warn(path, $"command socket configuration is NOT SECURE: no authentication and no TLS on {config.Address} port {config.Port}; accepted because of {why}", "COMMAND_HTTP_SOCKET_SECURITY_WARNING");
        return true;
    }

    /// <summary>
    /// Kea 3.x's rule: a socket named with a directory part must be directly in the control socket directory. Returns
    /// Kea's error text, or null when the name is acceptable. Call <see cref="NoFileName"/> first.
    /// </summary>
    public static string? ResolveSocketPath(string name, string socketDirectory)
    {
        var supported = Path.TrimEndingDirectorySeparator(Path.GetFullPath(socketDirectory));
        var trimmed = name.Trim();
        var full = Path.GetFullPath(Path.Combine(supported, trimmed));
        var parent = Path.GetDirectoryName(full) ?? "/";
        if (!SameDirectory(Path.TrimEndingDirectorySeparator(parent), supported))
        {
            var given = Path.GetDirectoryName(trimmed) is { Length: > 0 } d ? d : trimmed;
            return $"'socket-name' is invalid: invalid path specified: '{given}', supported path is '{supported}'";
        }

        return null;
    }

    /// <summary>
    /// Equal paths, or paths that differ only in <c>/var/run</c> against <c>/run</c> where the first is a link to the
    /// second (Debian and most systems today): ISC's Kea 3.x packages write <c>/var/run/kea/...</c> and accept it, while
    /// Pukeko's default directory is <c>/run/kea</c>.
    /// </summary>
    private static bool SameDirectory(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal)
        || (VarRunIsRun.Value && string.Equals(WithoutVarRun(a), WithoutVarRun(b), StringComparison.Ordinal));

    private static readonly Lazy<bool> VarRunIsRun = new(() =>
    {
        try
        {
            return Directory.ResolveLinkTarget("/var/run", returnFinalTarget: true) is { } target
                && string.Equals(Path.TrimEndingDirectorySeparator(target.FullName), "/run", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    });

    private static string WithoutVarRun(string path) =>
        path == "/var/run" ? "/run" : path.StartsWith("/var/run/", StringComparison.Ordinal) ? path[4..] : path;

    /// <summary>Kea's error for a socket name without a file part (empty, a directory, <c>.</c> or <c>..</c>), else null.</summary>
    public static string? NoFileName(string name)
    {
        var trimmed = name.Trim();
        var file = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        return file is "" or "." or ".." ? $"'socket-name' is invalid: path: '{trimmed}' has no filename" : null;
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
