using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Hooks.Configuration;
using Pukeko.Hooks.Leases;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Statistics;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;

namespace Pukeko.Server.BuiltIn.Limits;

/// <summary>
/// Kea's limits library, built in: loaded like a hook library when the configuration names <c>libdhcp_limits.so</c>.
/// <c>dhcp6_srv_configured</c> reads the rate limits from the user contexts of classes and subnets (a wrong one vetoes
/// the configuration, with its JSON path) and starts every window afresh. <c>pkt6_receive</c> applies the limits of
/// the classes the packet is in by then (classes evaluated on arrival, not those that depend on KNOWN);
/// <c>subnet6_select</c> applies the limit of the selected subnet. A packet over a limit is dropped and counted in
/// <c>pkt6-limit-exceeded</c> and <c>pkt6-receive-drop</c>, and is not itself counted against the window.
/// </summary>
internal sealed class LimitsLibrary(LimitsOptions options, TimeProvider time, StatisticsRegistry? statistics = null) : HookLibrary
{
    /// <summary>Kea's logger name for this library's messages.</summary>
    public const string LoggerName = "kea-dhcp6.limits-hooks";

    public const string LimitExceeded = "pkt6-limit-exceeded";
    private const string ReceiveDrop = "pkt6-receive-drop";

    private readonly Lock _classLock = new();
    private const int FirstSweep = 1024;

    private readonly Dictionary<string, (RateWindow Window, RateLimit Rate)> _classWindows = new(StringComparer.Ordinal);
    private int _nextSweep = FirstSweep;
    private readonly ConcurrentDictionary<uint, RateWindow> _subnetWindows = new();
    private volatile LimitsConfiguration _limits = LimitsConfiguration.Empty;
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public LimitsOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public override bool MultiThreadingCompatible => true;

    /// <summary>The limits in force (those of the last configuration).</summary>
    public LimitsConfiguration Limits => _limits;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _log = handle.Loggers.CreateLogger(LoggerName);
        handle.RegisterCallout(HookNames.Dhcp6SrvConfigured, Configured);
        handle.RegisterCallout(HookNames.Pkt6Receive, Received);
        handle.RegisterCallout(HookNames.Subnet6Select, SubnetSelected);
        handle.RegisterCallout(HookNames.Lease6Select, LeaseSelected);
        return 0;
    }

    public override int Unload() => 0;

    /// <summary>Reads the limits of the configuration about to serve; a wrong one says DROP with the reason in <c>error</c>.</summary>
    private int Configured(CalloutHandle handle)
    {
        if (!handle.TryGetArgument<JsonElement>("json_config", out var document))
        {
            return 0;
        }

        handle.TryGetArgument<ServerConfig>("server_config", out var server);
        var errors = new List<string>();
        var limits = LimitsConfiguration.Parse(document, text => SubnetIdOf(server, text), (path, message) => errors.Add($"{path}: {message}"));
        if (limits is null)
        {
            handle.SetArgument("error", string.Join("; ", errors));
            handle.Status = NextStep.Drop;
            return 1;
        }

        lock (_classLock)
        {
            _classWindows.Clear();
            _nextSweep = FirstSweep;
        }

        _subnetWindows.Clear();
        _limits = limits;
        foreach (var (name, rate) in limits.ClassRates.Concat(limits.TemplateRates))
        {
            _log.LogDebug(new EventId(0, "LIMITS_CONFIGURED_RATE_LIMIT_BY_CLIENT_CLASS"), "New rate limit of {Limit} for client class {Class} has been configured.", rate, name);
        }

        foreach (var (id, rate) in limits.SubnetRates)
        {
            _log.LogDebug(new EventId(0, "LIMITS_CONFIGURED_RATE_LIMIT_BY_SUBNET"), "New rate limit of {Limit} for subnet with ID {Subnet} has been configured.", rate, id);
        }

        foreach (var (id, limit) in limits.SubnetAddressLimits)
        {
            _log.LogDebug(new EventId(0, "LIMITS_CONFIGURED_ADDRESS_LIMIT_BY_SUBNET"), "New lease limit of {Limit} addresses for subnet with ID {Subnet} has been configured.", limit, id);
        }

        foreach (var (id, limit) in limits.SubnetPrefixLimits)
        {
            _log.LogDebug(new EventId(0, "LIMITS_CONFIGURED_PREFIX_LIMIT_BY_SUBNET"), "New lease limit of {Limit} prefixes for subnet with ID {Subnet} has been configured.", limit, id);
        }

        return 0;
    }

    private static uint? SubnetIdOf(ServerConfig? server, string text) =>
        server is not null && Ipv6Prefix.TryParse(text.Trim(), out var prefix, out _)
            ? server.Subnets.FirstOrDefault(s => s.Prefix == prefix)?.Id
            : null;

    /// <summary>Class limits: the packet is dropped when any limited class it is in has had its fill in the last unit.</summary>
    private int Received(CalloutHandle handle)
    {
        var limits = _limits;
        if (handle.Status is NextStep.Drop or NextStep.Skip || (limits.ClassRates.Count == 0 && limits.TemplateRates.Count == 0)
            || !handle.TryGetArgument<Dhcp6Packet>("query6", out var query) || query is null)
        {
            return 0;
        }

        var limited = LimitedClasses(query, limits);
        if (limited.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcTicks;
        lock (_classLock)
        {
            Sweep(now);

            // All are checked before any is charged, so a packet dropped by one class does not use up another's room.
            foreach (var (key, rate) in limited)
            {
                if (!Window(key, rate).HasRoom(rate, now))
                {
                    Drop(handle);
                    _log.LogDebug(new EventId(0, "LIMITS_PACKET_WITH_CLIENT_CLASSES_RATE_LIMIT_DROPPED"), "Packet assigned to client classes {Classes} is being dropped for exceeding the rate limit of {Limit} for client class {Class}.", query.Classes, rate, key);
                    return 0;
                }
            }

            foreach (var (key, rate) in limited)
            {
                Window(key, rate).Record(now);
            }
        }

        if (_log.IsEnabled(LogLevel.Trace))
        {
            _log.LogTrace(new EventId(0, "LIMITS_PACKET_WITH_CLIENT_CLASSES_RATE_LIMIT_HONORED"), "Packet assigned to client classes {Classes} is being honored.", query.Classes);
        }

        return 0;
    }

    /// <summary>
    /// The windows the packet is charged to, in class order: a limited class by its own name, a limited template by the
    /// class it spawned for this packet (so each spawned value, e.g. each client, has its own window).
    /// </summary>
    private static List<(string Key, RateLimit Rate)> LimitedClasses(Dhcp6Packet query, LimitsConfiguration limits)
    {
        var limited = new List<(string, RateLimit)>();
        foreach (var name in query.Classes)
        {
            if (limits.ClassRates.TryGetValue(name, out var rate))
            {
                limited.Add((name, rate));
            }
            else if (limits.TemplateRates.TryGetValue(name, out var templateRate))
            {
                var prefix = $"SPAWN_{name}_";
                if (query.Classes.FirstOrDefault(c => c.StartsWith(prefix, StringComparison.Ordinal)) is { } spawned)
                {
                    limited.Add((spawned, templateRate));
                }
            }
        }

        return limited;
    }

    private RateWindow Window(string key, RateLimit rate)
    {
        if (!_classWindows.TryGetValue(key, out var entry))
        {
            entry = (new RateWindow(), rate);
            _classWindows[key] = entry;
        }

        return entry.Window;
    }

    /// <summary>Windows kept (by class or spawned class), for tests.</summary>
    public int ClassWindowCount
    {
        get
        {
            lock (_classLock)
            {
                return _classWindows.Count;
            }
        }
    }

    /// <summary>
    /// A template class spawns a window per value (per client, say), and a flood of made-up clients would otherwise
    /// keep every one of them (as Kea does): when the windows have doubled since the last sweep, those whose packets
    /// have all expired are forgotten, which changes nothing (an idle window is the same as a new one). Amortized O(1).
    /// </summary>
    private void Sweep(long now)
    {
        if (_classWindows.Count < _nextSweep)
        {
            return;
        }

        foreach (var (key, (window, rate)) in _classWindows)
        {
            if (window.IsIdle(rate, now))
            {
                _classWindows.Remove(key);
            }
        }

        _nextSweep = Math.Max(FirstSweep, 2 * _classWindows.Count);
    }

    /// <summary>The selected subnet's limit.</summary>
    private int SubnetSelected(CalloutHandle handle)
    {
        var limits = _limits;
        if (handle.Status is NextStep.Drop or NextStep.Skip || limits.SubnetRates.Count == 0)
        {
            return 0;
        }

        if (!handle.TryGetArgument<SubnetView>("subnet6", out var subnet) || subnet is null)
        {
            _log.LogTrace(new EventId(0, "LIMITS_PACKET_WIIH_SUBNET_ID_RATE_NO_SUBNET"), "Packet is not being rate limited due to no subnet specified.");
            return 0;
        }

        if (!limits.SubnetRates.TryGetValue(subnet.Id, out var rate))
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcTicks;
        var window = _subnetWindows.GetOrAdd(subnet.Id, static _ => new RateWindow());
        lock (window)
        {
            if (window.HasRoom(rate, now))
            {
                window.Record(now);
                return 0;
            }
        }

        Drop(handle);
        _log.LogDebug(new EventId(0, "LIMITS_PACKET_WITH_SUBNET_ID_RATE_LIMIT_DROPPED"), "Packet assigned to subnet with ID {Subnet} is being dropped for exceeding the rate limit of {Limit}.", subnet.Id, rate);
        return 0;
    }

    /// <summary>
    /// Lease limits of the subnet, on a new lease only (Kea checks none on renew or rebind): when the subnet already has
    /// as many leases of the type as its limit (Kea's count, <c>subnet[id].assigned-nas</c> / <c>assigned-pds</c>), the
    /// lease is not allocated (SKIP) and the client is told there is none.
    /// </summary>
    private int LeaseSelected(CalloutHandle handle)
    {
        var limits = _limits;
        if (handle.Status is NextStep.Drop or NextStep.Skip || (limits.SubnetAddressLimits.Count == 0 && limits.SubnetPrefixLimits.Count == 0)
            || !handle.TryGetArgument<Lease6>("lease6", out var lease) || lease is null)
        {
            return 0;
        }

        var (table, statistic, kind) = lease.Type == LeaseType.PD
            ? (limits.SubnetPrefixLimits, LeaseStatistics.AssignedPds, "prefix")
            : (limits.SubnetAddressLimits, LeaseStatistics.AssignedNas, "address");
        if (!table.TryGetValue(lease.SubnetId, out var limit))
        {
            return 0;
        }

        // A limit of 0 denies every lease without counting, as in Kea.
        var count = limit == 0 ? 0 : statistics?.Value(StatisticsRegistry.SubnetName(lease.SubnetId, statistic)) ?? 0;
        if (count < limit)
        {
            _log.LogDebug(new EventId(0, "LIMITS_LEASE_WITHIN_LIMITS"), "Lease with address {Address} is within limits.", lease.Address);
            return 0;
        }

        handle.Status = NextStep.Skip;
        _log.LogDebug(new EventId(0, "LIMITS_LEASE_LIMIT_EXCEEDED"), "Lease was not allocated due to exceeding {Limit}.", $"{kind} limit {limit} for subnet ID {lease.SubnetId}, current lease count {count}");
        return 0;
    }

    private void Drop(CalloutHandle handle)
    {
        handle.Status = NextStep.Drop;
        statistics?.Add(LimitExceeded, 1);
        statistics?.Add(ReceiveDrop, 1);
    }
}
