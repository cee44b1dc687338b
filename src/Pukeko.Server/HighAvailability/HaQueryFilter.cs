using System.Collections.Frozen;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Which queries this server answers (Kea's <c>QueryFilter</c>): each HA-relevant query belongs to one peer's scope —
/// the primary's in hot-standby and passive-backup, the primary's or the secondary's by the load-balancing hash of
/// the client identifier — and is answered only when that scope is among those served now. Thread-safe: the state
/// machine changes the served scopes while workers ask.
/// </summary>
internal sealed class HaQueryFilter
{
    /// <summary>The prefix of the client class every query gets, followed by its scope's peer name.</summary>
    public const string ClassPrefix = "HA_";

    private readonly HaRelationshipConfig _config;

    // Peers in Kea's order; the first activeServers of them are those the hash chooses between.
    private readonly HaPeerConfig[] _peers;
    private readonly int _activeServers;
    private FrozenSet<string> _served = FrozenSet<string>.Empty;

    public HaQueryFilter(HaRelationshipConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _peers = [.. config.Peers];
        _activeServers = config.Mode == HaMode.LoadBalancing ? 2 : 1;
    }

    /// <summary>The scopes (peer names) served now, sorted.</summary>
    public IReadOnlyList<string> ServedScopes => [.. Volatile.Read(ref _served).Order(StringComparer.Ordinal)];

    /// <summary>True for the message types HA divides between servers (others are always answered).</summary>
    public static bool IsHaType(MessageType type) => type is MessageType.Solicit or MessageType.Request or MessageType.Confirm
        or MessageType.Renew or MessageType.Rebind or MessageType.Release or MessageType.Decline;

    /// <summary>Serve nothing (waiting, syncing, ready, backup ...).</summary>
    public void ServeNoScopes() => Volatile.Write(ref _served, FrozenSet<string>.Empty);

    /// <summary>This server's own scope: its name if it is the primary or secondary, none for standby and backups.</summary>
    public void ServeDefaultScopes()
    {
        var self = _config.ThisServer;
        Volatile.Write(ref _served, self.Role is HaRole.Primary or HaRole.Secondary ? new[] { self.Name }.ToFrozenSet(StringComparer.Ordinal) : FrozenSet<string>.Empty);
    }

    /// <summary>
    /// Partner down: every active server's scope, unless this server's own <c>auto-failover</c> is false, in which
    /// case only its own. For maintenance (partner-in-maintenance, partner-down entered by ha-maintenance-start)
    /// it is not a failure, so <c>auto-failover</c> does not apply (Kea).
    /// </summary>
    public void ServeFailoverScopes(bool maintenance = false)
    {
        if (!maintenance && !_config.ThisServer.AutoFailover)
        {
            ServeDefaultScopes();
            return;
        }

        Volatile.Write(ref _served, _peers.Take(_activeServers).Select(p => p.Name).ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>ha-scopes</c>: exactly these scopes. Each must be the name of a server whose scope exists (primary, or
    /// secondary in load-balancing); otherwise nothing changes and the reason is thrown.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a scope of this relationship.</exception>
    public void ServeScopes(IEnumerable<string> scopes)
    {
        var names = scopes.ToList();
        var valid = _peers.Take(_activeServers).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!valid.Contains(name))
            {
                throw new ArgumentException(_peers.Any(p => p.Name == name)
                    ? $"server {name} has no scope of its own (only the active servers' names are scopes)"
                    : $"invalid server name specified {name}");
            }
        }

        Volatile.Write(ref _served, names.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>The peer whose scope the query falls in; null when it cannot be decided (load-balancing without a client identifier).</summary>
    public HaPeerConfig? ScopeOf(Dhcp6Packet query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!IsHaType(query.Type) || _activeServers == 1)
        {
            return _peers[0];
        }

        if (query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is not { } clientId || clientId.Duid.Length == 0)
        {
            return null;
        }

        return _peers[LoadBalancingHash.ServerIndex(clientId.Duid.Bytes, _activeServers)];
    }

    /// <summary>
    /// Decides the query: adds the class <c>HA_&lt;peer&gt;</c> of its scope and says whether this server answers it.
    /// A message type HA does not divide (Information-Request) is always answered.
    /// </summary>
    public bool InScope(Dhcp6Packet query) => Decide(query) == HaScopeDecision.Served;

    /// <summary>As <see cref="InScope"/>, and says why a query is not answered.</summary>
    public HaScopeDecision Decide(Dhcp6Packet query)
    {
        var peer = ScopeOf(query);
        if (peer is null)
        {
            return HaScopeDecision.NoClientIdentifier;
        }

        query.Classes.Add(ClassPrefix + peer.Name);
        return !IsHaType(query.Type) || Volatile.Read(ref _served).Contains(peer.Name)
            ? HaScopeDecision.Served
            : HaScopeDecision.OtherScope;
    }
}

/// <summary>What <see cref="HaQueryFilter.Decide"/> made of a query.</summary>
internal enum HaScopeDecision
{
    /// <summary>In a scope this server serves now.</summary>
    Served,

    /// <summary>In a scope this server does not serve now (normally the partner's).</summary>
    OtherScope,

    /// <summary>Load balancing cannot place it: it has no client identifier.</summary>
    NoClientIdentifier,
}
