using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>lease-database</c>: memfile, or PostgreSQL through the built-in backend (the host supplies it); MySQL is
/// refused. The connection keys are collected whatever the type (keys may come in any order) and kept only for
/// PostgreSQL, as Kea ignores them for memfile.
/// </summary>
internal static class LeaseDatabaseParser
{
    private static readonly (string, DatabaseOnFail)[] OnFailModes =
    [
        ("stop-retry-exit", DatabaseOnFail.StopRetryExit), ("serve-retry-exit", DatabaseOnFail.ServeRetryExit),
        ("serve-retry-continue", DatabaseOnFail.ServeRetryContinue),
    ];

    /// <summary>The keys of <c>lease-database</c>; <c>hosts-database</c> reuses their connection handlers.</summary>
    internal static readonly KeyTable<StrongBox<LeaseDatabaseConfig>> Keys = new KeyTable<StrongBox<LeaseDatabaseConfig>>("lease-database")
        .On("type", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var type))
            {
                return;
            }

            switch (type)
            {
                case LeaseDatabaseConfig.Memfile or LeaseDatabaseConfig.PostgreSql:
                    d.Value = d.Value! with { Type = type };
                    break;
                case "mysql":
                    c.Error(p, $"lease database type '{type}' is not supported (memfile or postgresql)");
                    break;
                default:
                    c.Error(p, $"unknown lease database type '{type}' (expected memfile, mysql or postgresql)");
                    break;
            }
        })
        .On("name", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var name))
            {
                return;
            }

            if (name.Trim().Length == 0)
            {
                c.Error(p, "lease database name must not be empty");
                return;
            }

            // For memfile, Kea resolves a bare name inside its data directory (an absolute path is used as given);
            // for PostgreSQL it is the database's name.
            d.Value = d.Value! with
            {
                FilePath = Path.GetFullPath(Path.Combine(c.Environment.DataDirectory, name)),
                Sql = Access(d) with { Name = name },
            };
        })
        .On("host", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var host))
            {
                d.Value = d.Value! with { Sql = Access(d) with { Host = host } };
            }
        })
        .On("port", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, ushort.MaxValue, out var port))
            {
                d.Value = d.Value! with { Sql = Access(d) with { Port = (int)port } };
            }
        })
        .On("user", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var user))
            {
                d.Value = d.Value! with { Sql = Access(d) with { User = user } };
            }
        })
        .On("password", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var password))
            {
                d.Value = d.Value! with { Sql = Access(d) with { Password = password } };
            }
        })
        .On("password-file", (d, v, p, c) =>
        {
            // An empty name means no file, as in Kea.
            if (c.TryString(v, p, out var file))
            {
                d.Value = d.Value! with { Sql = Access(d) with { PasswordFile = file.Length > 0 ? file : null } };
            }
        })
        .On("connect-timeout", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var seconds))
            {
                d.Value = d.Value! with { Sql = Access(d) with { ConnectTimeout = seconds } };
            }
        })
        .On("max-reconnect-tries", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var tries))
            {
                d.Value = d.Value! with { Sql = Access(d) with { MaxReconnectTries = tries } };
            }
        })
        .On("reconnect-wait-time", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var milliseconds))
            {
                d.Value = d.Value! with { Sql = Access(d) with { ReconnectWaitTime = milliseconds } };
            }
        })
        .On("retry-on-startup", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var retry))
            {
                d.Value = d.Value! with { Sql = Access(d) with { RetryOnStartup = retry } };
            }
        })
        .On("trust-anchor", (d, v, p, c) => Tls(d, v, p, c, (t, s) => t with { TrustAnchor = s }))
        .On("cert-file", (d, v, p, c) => Tls(d, v, p, c, (t, s) => t with { CertFile = s }))
        .On("key-file", (d, v, p, c) => Tls(d, v, p, c, (t, s) => t with { KeyFile = s }))
        .On("key-password", (d, v, p, c) => Tls(d, v, p, c, (t, s) => t with { KeyPassword = s }))
        .On("cipher-list", (d, v, p, c) => Tls(d, v, p, c, (t, s) => t with { CipherList = s }))
        .On("ssl-mode", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var mode) && !SqlDatabaseTls.SslModes.Contains(mode))
            {
                c.Error(p, $"unsupported value '{mode}' (expected {string.Join(", ", SqlDatabaseTls.SslModes)})");
                return;
            }

            Tls(d, v, p, c, (t, s) => t with { SslMode = s });
        })
        .On("tcp-user-timeout", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var seconds))
            {
                d.Value = d.Value! with { Sql = Access(d) with { TcpUserTimeout = seconds } };
            }
        })
        .On("read-timeout", (d, v, p, c) => MySqlOnlyTimeout(v, p, c, "read-timeout"))
        .On("write-timeout", (d, v, p, c) => MySqlOnlyTimeout(v, p, c, "write-timeout"))
        .On("on-fail", (d, v, p, c) =>
        {
            if (c.TryChoice(v, p, OnFailModes, text => $"unsupported value '{text}' (expected stop-retry-exit, serve-retry-exit or serve-retry-continue)", out var onFail))
            {
                d.Value = d.Value! with { Sql = Access(d) with { OnFail = onFail } };
            }
        })
        .On("persist", (d, v, p, c) =>
        {
            // Kea accepts the strings "true"/"false" as well as booleans here.
            bool? persist = v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when v.GetString() == "true" => true,
                JsonValueKind.String when v.GetString() == "false" => false,
                _ => null,
            };
            if (persist is { } b)
            {
                d.Value = d.Value! with { Persist = b };
            }
            else
            {
                c.Error(p, $"expected a boolean or \"true\"/\"false\", got {ParseContext.KindName(v.ValueKind)} {ParseContext.Show(v)}");
            }
        })
        .On("lfc-interval", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { LfcInterval = x };
            }
        })
        .On("max-row-errors", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { MaxRowErrors = x };
            }
        })
        .Unimplemented(KeaKeys.LeaseDatabaseUnimplemented);

    public static void Parse(StrongBox<LeaseDatabaseConfig> box, JsonElement value, string path, ParseContext context)
    {
        if (!Keys.Walk(value, path, box, context))
        {
            return;
        }

        if (!value.TryGetProperty("type", out _))
        {
            context.Error(path, "missing mandatory parameter 'type'");
            return;
        }

        if (box.Value!.Type != LeaseDatabaseConfig.PostgreSql)
        {
            if (box.Value.Sql is { TcpUserTimeout: > 0 })
            {
                // As Kea: 0 (not set) is accepted with any backend.
                context.Error(ParseContext.Child(path, "tcp-user-timeout"), "tcp-user-timeout value is only supported by the postgresql backend");
            }

            box.Value = box.Value with { Sql = null };

            // Kea 3.x checks the lease file only when leases are written to one (persist true).
            if (box.Value.Persist && value.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString()!.Trim().Length > 0)
            {
                var namePath = ParseContext.Child(path, "name");
                if (PermittedDirectory.LeaseFile.Resolve(name.GetString()!, context.Environment.DataDirectory, namePath, context) is { } file)
                {
                    box.Value = box.Value with { FilePath = file };
                }
            }
        }
        else if (box.Value.Sql is not { Name.Length: > 0 } access)
        {
            context.Error(path, "missing mandatory parameter 'name' (the PostgreSQL database)");
        }
        else if (DatabasePasswordFile.Apply(access, value, path, context) is { } withPassword)
        {
            box.Value = box.Value with { Sql = withPassword };
        }
    }

    private static SqlDatabaseAccess Access(StrongBox<LeaseDatabaseConfig> draft) => draft.Value!.Sql ?? SqlDatabaseAccess.Default;

    /// <summary>A TLS key: a string, empty meaning not given.</summary>
    private static void Tls(StrongBox<LeaseDatabaseConfig> draft, JsonElement value, string path, ParseContext context, Func<SqlDatabaseTls, string?, SqlDatabaseTls> set)
    {
        if (context.TryString(value, path, out var text))
        {
            var access = Access(draft);
            draft.Value = draft.Value! with { Sql = access with { Tls = set(access.Tls, text.Length > 0 ? text : null) } };
        }
    }

    /// <summary>Kea accepts 0 (not set) and refuses any other value of these timeouts outside MySQL.</summary>
    private static void MySqlOnlyTimeout(JsonElement value, string path, ParseContext context, string key)
    {
        if (context.TryUInt32(value, path, out var seconds) && seconds > 0)
        {
            context.Error(path, $"{key} value is only supported by the mysql backend");
        }
    }
}
