using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Reads the <c>parameters</c> of <c>libdhcp_ha.so</c> with Kea 2.2's keys, defaults and checks
/// (<c>ha_config_parser.cc</c>, <c>HAConfig::validate</c>), accepting also the hub-and-spoke form (several
/// relationships, Kea 2.6+). Every problem goes to <c>error</c> with the JSON path of the value and the reason;
/// parameters this server cannot apply yet go to <c>warn</c> with their path.
/// </summary>
internal sealed class HaConfigParser
{
    // Kea 2.2 keeps the three delays in 16 bits.
    private const long MaxDelay = ushort.MaxValue;
    private const long MaxCount = uint.MaxValue;

    private static readonly HashSet<string> RelationshipKeys = new(StringComparer.Ordinal)
    {
        "this-server-name", "mode", "heartbeat-delay", "max-response-delay", "max-ack-delay", "max-unacked-clients",
        "max-rejected-lease-updates", "delayed-updates-limit", "send-lease-updates", "sync-leases", "sync-timeout",
        "sync-page-limit", "wait-backup-ack", "require-client-certs", "restrict-commands", "multi-threading",
        "trust-anchor", "cert-file", "key-file", "peers", "state-machine", "comment", "user-context",
    };

    private static readonly HashSet<string> PeerKeys = new(StringComparer.Ordinal)
    {
        "name", "url", "role", "auto-failover", "basic-auth-user", "basic-auth-user-file", "basic-auth-password",
        "basic-auth-password-file", "trust-anchor", "cert-file", "key-file", "comment", "user-context",
    };

    private readonly Action<string, string> _error;
    private readonly Action<string, string> _warn;
    private bool _failed;

    private HaConfigParser(Action<string, string> error, Action<string, string> warn)
    {
        _error = error;
        _warn = warn;
    }

    /// <summary>
    /// The configuration in <paramref name="parameters"/> (whose JSON path is <paramref name="path"/>), or null when
    /// anything was wrong (each problem reported to <paramref name="error"/>).
    /// </summary>
    public static HaConfig? Parse(JsonElement? parameters, string path, Action<string, string> error, Action<string, string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var parser = new HaConfigParser(error, warn ?? ((_, _) => { }));
        var config = parser.ParseRoot(parameters, path);
        return parser._failed ? null : config;
    }

    private void Error(string path, string message)
    {
        _failed = true;
        _error(path, message);
    }

    private HaConfig? ParseRoot(JsonElement? parameters, string path)
    {
        if (parameters is not { ValueKind: JsonValueKind.Object } map)
        {
            Error(path, "the high availability library needs parameters with a 'high-availability' list");
            return null;
        }

        var listPath = $"{path}/high-availability";
        if (!map.TryGetProperty("high-availability", out var list))
        {
            Error(path, "'high-availability' parameter missing: the HA configuration must be given");
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            Error(listPath, "HA configuration must be a list");
            return null;
        }

        if (list.GetArrayLength() == 0)
        {
            Error(listPath, "invalid number of configurations in the HA configuration list: at least one relationship is needed");
            return null;
        }

        var relationships = new List<HaRelationshipConfig>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (ParseRelationship(item, $"{listPath}[{index.ToString(CultureInfo.InvariantCulture)}]") is { } relationship)
            {
                relationships.Add(relationship);
            }

            index++;
        }

        if (_failed)
        {
            return null;
        }

        if (relationships.Count > 1)
        {
            // Hub and spoke (Kea 2.6+): only hot-standby relationships, and a server name (this server's own too) names
            // one relationship, as subnets and commands pick a relationship by any of its names.
            for (var i = 0; i < relationships.Count; i++)
            {
                if (relationships[i].Mode != HaMode.HotStandby)
                {
                    Error($"{listPath}[{i.ToString(CultureInfo.InvariantCulture)}]/mode", "when several relationships are configured, each must be in the hot-standby mode");
                }
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < relationships.Count; i++)
            {
                foreach (var peer in relationships[i].Peers)
                {
                    if (!seen.Add(peer.Name))
                    {
                        Error($"{listPath}[{i.ToString(CultureInfo.InvariantCulture)}]/peers", $"server names must be unique for different relationships: '{peer.Name}' appears in more than one relationship");
                    }
                }
            }
        }

        return new HaConfig(relationships);
    }

    private HaRelationshipConfig? ParseRelationship(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            Error(path, "expected list of maps in the HA configuration");
            return null;
        }

        foreach (var property in item.EnumerateObject())
        {
            if (!RelationshipKeys.Contains(property.Name))
            {
                _warn($"{path}/{property.Name}", $"'{property.Name}' is not a parameter of Kea's HA configuration; ignored (as Kea 2.2 does)");
            }
        }

        var modeText = RequiredString(item, path, "mode");
        HaMode? mode = modeText switch
        {
            null => null,
            "load-balancing" => HaMode.LoadBalancing,
            "hot-standby" => HaMode.HotStandby,
            "passive-backup" => HaMode.PassiveBackup,
            _ => null,
        };
        if (modeText is not null && mode is null)
        {
            Error($"{path}/mode", $"unsupported value '{modeText}' for mode parameter (expected load-balancing, hot-standby or passive-backup)");
        }

        var thisServerName = RequiredString(item, path, "this-server-name");
        if (thisServerName is { Length: 0 })
        {
            Error($"{path}/this-server-name", "'this-server-name' value must not be empty");
        }

        var heartbeat = Integer(item, path, "heartbeat-delay", 10000, MaxDelay);
        var maxResponse = Integer(item, path, "max-response-delay", 60000, MaxDelay);
        var maxAck = Integer(item, path, "max-ack-delay", 10000, MaxDelay);
        var maxUnacked = Integer(item, path, "max-unacked-clients", 10, MaxCount);
        long? maxRejected = item.TryGetProperty("max-rejected-lease-updates", out _) ? Integer(item, path, "max-rejected-lease-updates", 10, MaxCount) : null;
        var delayedLimit = Integer(item, path, "delayed-updates-limit", mode == HaMode.LoadBalancing ? 100 : 0, MaxCount);
        var sendUpdates = Boolean(item, path, "send-lease-updates", true);
        var syncLeases = Boolean(item, path, "sync-leases", true);
        var syncTimeout = Integer(item, path, "sync-timeout", 60000, MaxCount);
        var syncPageLimit = Integer(item, path, "sync-page-limit", 10000, MaxCount);
        var waitBackupAck = Boolean(item, path, "wait-backup-ack", false);
        var requireClientCerts = Boolean(item, path, "require-client-certs", true);
        var restrictCommands = Boolean(item, path, "restrict-commands", false);
        var multiThreading = ParseMultiThreading(item, path);
        var trustAnchor = OptionalString(item, path, "trust-anchor");
        var certFile = OptionalString(item, path, "cert-file");
        var keyFile = OptionalString(item, path, "key-file");
        var pausing = ParseStateMachine(item, path);
        var peers = ParsePeers(item, path);

        if (mode is not { } m || thisServerName is null || peers is null || _failed)
        {
            return null;
        }

        var config = new HaRelationshipConfig
        {
            ThisServerName = thisServerName,
            Mode = m,
            Peers = peers,
            HeartbeatDelay = TimeSpan.FromMilliseconds(heartbeat),
            MaxResponseDelay = TimeSpan.FromMilliseconds(maxResponse),
            MaxAckDelay = TimeSpan.FromMilliseconds(maxAck),
            MaxUnackedClients = (int)Math.Min(maxUnacked, int.MaxValue),
            MaxRejectedLeaseUpdates = maxRejected is { } r ? (int)Math.Min(r, int.MaxValue) : null,
            DelayedUpdatesLimit = (int)Math.Min(delayedLimit, int.MaxValue),
            SendLeaseUpdates = sendUpdates,
            SyncLeases = syncLeases,
            SyncTimeout = TimeSpan.FromMilliseconds(syncTimeout),
            SyncPageLimit = (int)Math.Min(syncPageLimit, int.MaxValue),
            WaitBackupAck = waitBackupAck,
            RequireClientCerts = requireClientCerts,
            RestrictCommands = restrictCommands,
            MultiThreading = multiThreading,
            TrustAnchor = trustAnchor,
            CertFile = certFile,
            KeyFile = keyFile,
            StatePausing = pausing,
        };
        Validate(config, path);
        if (_failed)
        {
            return null;
        }

        WarnNotApplied(config, item, path);

        // Each peer carries the TLS keys it is reached with: its own, else the relationship's ("" is unset; Kea).
        static string? Effective(string? own, string? global) => !string.IsNullOrEmpty(own) ? own : !string.IsNullOrEmpty(global) ? global : null;
        return config with
        {
            Peers = [.. config.Peers.Select(p => p with
            {
                TrustAnchor = Effective(p.TrustAnchor, config.TrustAnchor),
                CertFile = Effective(p.CertFile, config.CertFile),
                KeyFile = Effective(p.KeyFile, config.KeyFile),
            })],
        };
    }

    /// <summary>Kea's <c>HAConfig::validate</c>: this server among the peers, roles fitting the mode, TLS all or none.</summary>
    private void Validate(HaRelationshipConfig config, string path)
    {
        var peersPath = $"{path}/peers";
        if (!config.Peers.Any(p => p.Name == config.ThisServerName))
        {
            Error($"{path}/this-server-name", $"no peer configuration specified for the '{config.ThisServerName}'");
            return;
        }

        foreach (var peer in config.Peers)
        {
            var anchor = peer.TrustAnchor ?? config.TrustAnchor;
            var cert = peer.CertFile ?? config.CertFile;
            var key = peer.KeyFile ?? config.KeyFile;
            var haveAnchor = !string.IsNullOrEmpty(anchor);
            var haveCert = !string.IsNullOrEmpty(cert);
            var haveKey = !string.IsNullOrEmpty(key);
            if (haveAnchor || haveCert || haveKey)
            {
                var missing = !haveAnchor ? "trust-anchor" : !haveCert ? "cert-file" : !haveKey ? "key-file" : null;
                if (missing is not null)
                {
                    Error(peersPath, $"bad TLS config for server {peer.Name}: {missing} parameter is missing or empty: all or none of TLS parameters must be set");
                }
            }
            else if (peer.Url.Scheme == Uri.UriSchemeHttps)
            {
                Error(peersPath, $"bad url '{peer.Url}': https scheme is not supported for server {peer.Name} where TLS is disabled");
            }

        }

        int Count(HaRole role) => config.Peers.Count(p => p.Role == role);
        if (Count(HaRole.Primary) > 1)
        {
            Error(peersPath, "multiple primary servers specified");
        }

        if (Count(HaRole.Secondary) > 1)
        {
            Error(peersPath, "multiple secondary servers specified");
        }

        if (Count(HaRole.Standby) > 1)
        {
            Error(peersPath, "multiple standby servers specified");
        }

        switch (config.Mode)
        {
            case HaMode.LoadBalancing:
                Require(Count(HaRole.Standby) == 0, peersPath, "standby servers not allowed in the load balancing configuration");
                Require(Count(HaRole.Secondary) > 0, peersPath, "secondary server required in the load balancing configuration");
                Require(Count(HaRole.Primary) > 0, peersPath, "primary server required in the load balancing configuration");
                Require(!config.WaitBackupAck, $"{path}/wait-backup-ack", "'wait-backup-ack' must be set to false in the load balancing configuration");
                break;
            case HaMode.HotStandby:
                Require(Count(HaRole.Secondary) == 0, peersPath, "secondary servers not allowed in the hot standby configuration");
                Require(Count(HaRole.Standby) > 0, peersPath, "standby server required in the hot standby configuration");
                Require(Count(HaRole.Primary) > 0, peersPath, "primary server required in the hot standby configuration");
                Require(!config.WaitBackupAck, $"{path}/wait-backup-ack", "'wait-backup-ack' must be set to false in the hot standby configuration");
                Require(config.DelayedUpdatesLimit == 0, $"{path}/delayed-updates-limit", "'delayed-updates-limit' must be set to 0 in the hot standby configuration");
                break;
            case HaMode.PassiveBackup:
                Require(Count(HaRole.Secondary) == 0, peersPath, "secondary servers not allowed in the passive backup configuration");
                Require(Count(HaRole.Standby) == 0, peersPath, "standby servers not allowed in the passive backup configuration");
                Require(Count(HaRole.Primary) > 0, peersPath, "primary server required in the passive backup configuration");
                Require(config.DelayedUpdatesLimit == 0, $"{path}/delayed-updates-limit", "'delayed-updates-limit' must be set to 0 in the passive backup configuration");
                break;
        }

    }

    private void Require(bool condition, string path, string message)
    {
        if (!condition)
        {
            Error(path, message);
        }
    }

    /// <summary>Parameters that are valid but that this server does not apply yet: each warned about with its path.</summary>
    private void WarnNotApplied(HaRelationshipConfig config, JsonElement item, string path)
    {
        // Kea sizes its thread pools with these (0: as many as the DHCP threads); Kestrel and the pooled peer client
        // are not built on a fixed number of threads, so a count written here changes nothing.
        var threads = $"{path}/multi-threading";
        if (config.MultiThreading.Enabled && config.MultiThreading.ClientThreads != 0)
        {
            _warn($"{threads}/http-client-threads", "not used: requests to peers are not limited to a number of threads (each peer's requests go out side by side on pooled connections)");
        }

        // These belong to the dedicated listener; without it peers reach the control channel, whose own settings apply.
        if (HaDedicatedListener.IsRequested(config))
        {
            if (config.MultiThreading.ListenerThreads != 0)
            {
                _warn($"{threads}/http-listener-threads", "not used: the dedicated HA listener (Kestrel) is not limited to a number of threads");
            }

            return;
        }

        if (item.TryGetProperty("require-client-certs", out _))
        {
            _warn($"{path}/require-client-certs", "applies only to the dedicated HA listener (multi-threading with http-dedicated-listener), which this configuration does not run: peers reach the control socket, whose own 'cert-required' applies");
        }

        if (config.RestrictCommands)
        {
            _warn($"{path}/restrict-commands", "applies only to the dedicated HA listener (multi-threading with http-dedicated-listener), which this configuration does not run: the control socket accepts every command");
        }
    }

    private List<HaPeerConfig>? ParsePeers(JsonElement item, string path)
    {
        var peersPath = $"{path}/peers";
        if (!item.TryGetProperty("peers", out var peers))
        {
            Error(path, "'peers' parameter missing in HA configuration");
            return null;
        }

        if (peers.ValueKind != JsonValueKind.Array)
        {
            Error(peersPath, "'peers' parameter must be a list");
            return null;
        }

        var result = new List<HaPeerConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var peer in peers.EnumerateArray())
        {
            var peerPath = $"{peersPath}[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            if (peer.ValueKind != JsonValueKind.Object)
            {
                Error(peerPath, "peer configuration must be a map");
                continue;
            }

            foreach (var property in peer.EnumerateObject())
            {
                if (!PeerKeys.Contains(property.Name))
                {
                    _warn($"{peerPath}/{property.Name}", $"'{property.Name}' is not a parameter of a Kea HA peer; ignored");
                }
            }

            var name = RequiredString(peer, peerPath, "name");
            if (name is { Length: 0 })
            {
                Error($"{peerPath}/name", "peer name must not be empty");
                name = null;
            }
            else if (name is not null && !names.Add(name))
            {
                Error($"{peerPath}/name", $"peer with name '{name}' already specified");
                name = null;
            }

            var url = ParseUrl(peer, peerPath, name);
            var roleText = RequiredString(peer, peerPath, "role");
            HaRole? role = roleText switch
            {
                null => null,
                "primary" => HaRole.Primary,
                "secondary" => HaRole.Secondary,
                "standby" => HaRole.Standby,
                "backup" => HaRole.Backup,
                _ => null,
            };
            if (roleText is not null && role is null)
            {
                Error($"{peerPath}/role", $"unsupported value '{roleText}' for role parameter (expected primary, secondary, standby or backup)");
            }

            var autoFailover = Boolean(peer, peerPath, "auto-failover", true);
            var user = OptionalString(peer, peerPath, "basic-auth-user");
            var password = OptionalString(peer, peerPath, "basic-auth-password");
            var passwordFile = OptionalString(peer, peerPath, "basic-auth-password-file");
            if (password is not null && passwordFile is not null)
            {
                Error(peerPath, $"only one of basic-auth-password and basic-auth-password-file parameter can be configured in peer '{name}'");
            }
            else if (passwordFile is not null)
            {
                try
                {
                    password = File.ReadAllText(passwordFile);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    Error($"{peerPath}/basic-auth-password-file", $"bad password file in peer '{name}': {ex.Message}");
                }
            }

            // Kea 3.1+: the user may come from a file, as the password can; the whole file is the user, as in Kea.
            var userFile = OptionalString(peer, peerPath, "basic-auth-user-file");
            if (user is not null && userFile is not null)
            {
                Error(peerPath, $"only one of basic-auth-user and basic-auth-user-file parameter can be configured in peer '{name}'");
            }
            else if (userFile is not null)
            {
                try
                {
                    user = File.ReadAllText(userFile);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    Error($"{peerPath}/basic-auth-user-file", $"bad user file in peer '{name}': {ex.Message}");
                }
            }

            if (user is not null && user.Contains(':', StringComparison.Ordinal))
            {
                Error($"{peerPath}/basic-auth-user", $"user '{user}' must not contain a ':' in peer '{name}'");
            }

            var trustAnchor = OptionalString(peer, peerPath, "trust-anchor");
            var certFile = OptionalString(peer, peerPath, "cert-file");
            var keyFile = OptionalString(peer, peerPath, "key-file");
            if (name is null || url is null || role is not { } r)
            {
                continue;
            }

            result.Add(new HaPeerConfig
            {
                Name = name,
                Url = url,
                Role = r,
                AutoFailover = autoFailover,
                BasicAuthUser = string.IsNullOrEmpty(user) ? null : user,
                BasicAuthPassword = password ?? "",
                TrustAnchor = trustAnchor,
                CertFile = certFile,
                KeyFile = keyFile,
            });
        }

        // Kea's order: the primary, then the secondary or standby, then backups (the load-balancing hash indexes it).
        return [.. result.OrderBy(p => p.Role switch { HaRole.Primary => 0, HaRole.Secondary or HaRole.Standby => 1, _ => 2 })];
    }

    private Uri? ParseUrl(JsonElement peer, string peerPath, string? name)
    {
        var text = RequiredString(peer, peerPath, "url");
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            Error($"{peerPath}/url", $"invalid URL: '{text}' is not an absolute http or https URL for server {name}");
            return null;
        }

        // Kea resolves no names here: the host must be an address.
        if (!IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out _))
        {
            Error($"{peerPath}/url", $"bad url '{text}': the host must be an IP address, not a name, for server {name}");
            return null;
        }

        return url;
    }

    private HaMultiThreading ParseMultiThreading(JsonElement item, string path)
    {
        if (!item.TryGetProperty("multi-threading", out var map))
        {
            return new HaMultiThreading();
        }

        var mtPath = $"{path}/multi-threading";
        if (map.ValueKind != JsonValueKind.Object)
        {
            Error(mtPath, "multi-threading configuration must be a map");
            return new HaMultiThreading();
        }

        return new HaMultiThreading(
            Boolean(map, mtPath, "enable-multi-threading", false),
            Boolean(map, mtPath, "http-dedicated-listener", false),
            (int)Math.Min(Integer(map, mtPath, "http-listener-threads", 0, MaxCount), int.MaxValue),
            (int)Math.Min(Integer(map, mtPath, "http-client-threads", 0, MaxCount), int.MaxValue));
    }

    private Dictionary<string, HaPausing> ParseStateMachine(JsonElement item, string path)
    {
        var result = new Dictionary<string, HaPausing>(StringComparer.Ordinal);
        if (!item.TryGetProperty("state-machine", out var machine))
        {
            return result;
        }

        var machinePath = $"{path}/state-machine";
        if (machine.ValueKind != JsonValueKind.Object)
        {
            Error(machinePath, "'state-machine' parameter must be a map");
            return result;
        }

        if (!machine.TryGetProperty("states", out var states))
        {
            return result;
        }

        var statesPath = $"{machinePath}/states";
        if (states.ValueKind != JsonValueKind.Array)
        {
            Error(statesPath, "'states' parameter must be a list");
            return result;
        }

        var index = 0;
        foreach (var state in states.EnumerateArray())
        {
            var statePath = $"{statesPath}[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            if (state.ValueKind != JsonValueKind.Object)
            {
                Error(statePath, "state configuration must be a map");
                continue;
            }

            var name = RequiredString(state, statePath, "state");
            var pauseText = OptionalString(state, statePath, "pause") ?? "never";
            HaPausing? pause = pauseText switch
            {
                "never" => HaPausing.Never,
                "always" => HaPausing.Always,
                "once" => HaPausing.Once,
                _ => null,
            };
            if (pause is null)
            {
                Error($"{statePath}/pause", $"unsupported value {pauseText} of 'pause' parameter (expected always, never or once)");
            }

            if (name is null)
            {
                continue;
            }

            if (!HaStateNames.All.Contains(name))
            {
                Error($"{statePath}/state", $"unknown state {name}");
                continue;
            }

            if (!result.TryAdd(name, pause ?? HaPausing.Never))
            {
                Error($"{statePath}/state", $"duplicated configuration for the '{name}' state");
            }
        }

        return result;
    }

    private string? RequiredString(JsonElement map, string path, string key)
    {
        if (!map.TryGetProperty(key, out var value))
        {
            Error(path, $"'{key}' parameter missing");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error($"{path}/{key}", $"'{key}' must be a string");
            return null;
        }

        return value.GetString();
    }

    private string? OptionalString(JsonElement map, string path, string key)
    {
        if (!map.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error($"{path}/{key}", $"'{key}' must be a string");
            return null;
        }

        return value.GetString();
    }

    private bool Boolean(JsonElement map, string path, string key, bool fallback)
    {
        if (!map.TryGetProperty(key, out var value))
        {
            return fallback;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error($"{path}/{key}", $"'{key}' must be a boolean");
            return fallback;
        }

        return value.GetBoolean();
    }

    private long Integer(JsonElement map, string path, string key, long fallback, long max)
    {
        if (!map.TryGetProperty(key, out var value))
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            Error($"{path}/{key}", $"'{key}' must be an integer");
            return fallback;
        }

        if (number < 0)
        {
            Error($"{path}/{key}", $"'{key}' must not be negative");
            return fallback;
        }

        if (number > max)
        {
            Error($"{path}/{key}", $"'{key}' must not be greater than {max.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }

        return number;
    }
}
