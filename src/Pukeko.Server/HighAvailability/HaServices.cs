using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// The HA services of one configuration, one per relationship, and what picks among them (Kea 2.6+'s <c>HAImpl</c>
/// with its relationship mapper). With one relationship every query and command goes to it, as in Kea 2.2. With
/// several (hub and spoke) a query is filtered after subnet selection by the relationship its subnet's
/// <c>ha-server-name</c> names (dropped when there is none), its lease updates go to that relationship's partner,
/// and a command picks its relationship by <c>server-name</c>.
/// </summary>
internal sealed class HaServices : IQueryFilter, ICommittedLeasesGate, IAsyncDisposable
{
    private readonly IReadOnlyList<HaService> _all;
    private readonly Dictionary<string, HaService> _byServerName = new(StringComparer.Ordinal);
    private readonly HaSubnetMap _subnets;
    private readonly PacketStatistics? _statistics;
    private readonly ILogger _log;

    /// <param name="services">One per relationship, in configuration order.</param>
    /// <param name="subnets">The subnets' <c>ha-server-name</c> (used with several relationships).</param>
    /// <param name="statistics">Where drops of unmapped queries are counted (<c>pkt6-receive-drop</c>).</param>
    public HaServices(IReadOnlyList<HaService> services, HaSubnetMap subnets, PacketStatistics? statistics, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfZero(services.Count);
        _all = services;
        _subnets = subnets;
        _statistics = statistics;
        _log = log;
        foreach (var service in services)
        {
            foreach (var peer in service.Config.Peers)
            {
                // The parser guarantees peer names are unique across relationships (this server's own names aside).
                _byServerName.TryAdd(peer.Name, service);
            }
        }
    }

    /// <summary>Every relationship's service, in configuration order.</summary>
    public IReadOnlyList<HaService> All => _all;

    /// <summary>True for hub and spoke.</summary>
    public bool HasMultiple => _all.Count > 1;

    /// <summary>The only service; null when there are several.</summary>
    public HaService? Single => _all.Count == 1 ? _all[0] : null;

    /// <summary>The relationship in which <paramref name="serverName"/> is a server (this one or a peer); null when none is.</summary>
    public HaService? Find(string serverName) => _byServerName.GetValueOrDefault(serverName);

    /// <summary>The relationship of the subnet with <paramref name="subnetId"/>; null when it has no valid mapping.</summary>
    public HaService? ForSubnet(uint subnetId) =>
        _all.Count == 1 ? _all[0] : _subnets.SelectorOf(subnetId).Name is { } name ? Find(name) : null;

    /// <summary>
    /// The relationship a command is for (Kea 2.6+'s rule): the one <c>server-name</c> names; without it the only
    /// one. With one relationship the argument is not looked at (Kea 2.2 has none). Kea's error texts.
    /// </summary>
    public HaService? ForCommand(string command, JsonObject? arguments, out string? error)
    {
        error = null;
        if (!HasMultiple)
        {
            return _all[0];
        }

        if (arguments is not null && arguments.TryGetPropertyValue("server-name", out var node) && node is not null)
        {
            if (node is not JsonValue value || !value.TryGetValue<string>(out var name))
            {
                error = $"'server-name' must be a string in the '{command}' command";
                return null;
            }

            var named = Find(name);
            if (named is null)
            {
                error = $"{name} matches no configured 'server-name'";
            }

            return named;
        }

        error = "expected one relationship to be configured";
        return null;
    }

    /// <summary>Before subnet selection (Kea's <c>buffer6_receive</c>): the only relationship's scopes; with several, later.</summary>
    public bool Accept(Dhcp6Packet query) => HasMultiple || _all[0].Accept(query);

    /// <summary>With several relationships, Kea's <c>subnet6_select</c> callout: the subnet's relationship and its scopes decide.</summary>
    public bool AcceptInSubnet(Dhcp6Packet query, Subnet6? subnet)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!HasMultiple)
        {
            return true;
        }

        if (subnet is null)
        {
            _log.LogDebug(new EventId(0, "HA_SUBNET6_SELECT_NO_SUBNET_SELECTED"), "{Label}: no subnet was selected for the query: dropped, as no relationship can serve it", query.Label);
            return Dropped();
        }

        var selector = _subnets.SelectorOf(subnet.Id);
        if (!selector.Valid)
        {
            _log.LogError(new EventId(0, "HA_SUBNET6_SELECT_INVALID_HA_SERVER_NAME"), "{Label}: the ha-server-name in the user-context of subnet {Subnet} (or its shared network) must be a non-empty string: query dropped", query.Label, subnet.Prefix);
            return Dropped();
        }

        if (selector.Name is not { } name)
        {
            _log.LogError(new EventId(0, "HA_SUBNET6_SELECT_NO_RELATIONSHIP_SELECTOR_FOR_SUBNET"), "{Label}: subnet {Subnet} (and its shared network) has no ha-server-name in its user-context to pick an HA relationship: query dropped", query.Label, subnet.Prefix);
            return Dropped();
        }

        if (Find(name) is not { } service)
        {
            _log.LogError(new EventId(0, "HA_SUBNET6_SELECT_NO_RELATIONSHIP_FOR_SUBNET"), "{Label}: no HA relationship has a server named {Name}: query dropped", query.Label, name);
            return Dropped();
        }

        if (!service.Accept(query))
        {
            // Kea counts nothing here: the query was counted by type when it was received.
            _log.LogDebug(new EventId(0, "HA_SUBNET6_SELECT_NOT_FOR_US"), "{Label}: dropping query to be processed by another server in the relationship of {Name}", query.Label, name);
            return false;
        }

        return true;
    }

    /// <summary>The lease updates of the relationship the query's subnet belongs to (Kea's <c>leases6_committed</c>).</summary>
    public ValueTask<CommittedLeasesOutcome> LeasesCommittedAsync(Dhcp6Packet query, Subnet6? selectedSubnet, IReadOnlyList<LeaseChange> changes, uint parkedPacketLimit)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return ValueTask.FromResult(CommittedLeasesOutcome.Send);
        }

        if ((selectedSubnet is null ? Single : ForSubnet(selectedSubnet.Id)) is not { } service)
        {
            _log.LogError(new EventId(0, "HA_LEASES6_COMMITTED_NO_RELATIONSHIP"), "{Label}: no HA relationship serves the query's subnet: its reply is dropped", query.Label);
            return ValueTask.FromResult(CommittedLeasesOutcome.Drop);
        }

        return service.LeasesCommittedAsync(query, changes, parkedPacketLimit);
    }

    /// <summary><c>status-get</c>'s <c>high-availability</c>: one element per relationship.</summary>
    public JsonArray Status() => [.. _all.Select(s => (JsonNode)s.Status())];

    public void Start()
    {
        foreach (var service in _all)
        {
            service.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _all)
        {
            await service.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool Dropped()
    {
        _statistics?.ReceiveDrop.Increment();
        return false;
    }
}
