using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// What this server knows of its partner (Kea's <c>CommunicationState</c>): the last successful heartbeat (the
/// "poke"), the partner's state, scopes and unsent-update count from it, the clock skew, and — while communication
/// is interrupted — the clients seen asking the partner without being answered. Thread-safe.
/// </summary>
internal sealed class HaCommunicationState(HaRelationshipConfig config, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _unacked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _connecting = new(StringComparer.Ordinal);

    // Kea starts counting from the service start, so a partner that never answers is "interrupted" only after max-response-delay.
    private DateTimeOffset _lastPoke = time.GetUtcNow();
    private bool _everAnswered;
    private string? _partnerState;
    private IReadOnlyList<string> _partnerScopes = [];
    private long? _partnerUnsent;
    private long? _previousPartnerUnsent;
    private TimeSpan _clockSkew;

    // Both clocks as the last heartbeat answer found them (Kea's my/partner time "at skew"); null before the first
    // answer and again once the partner is unavailable.
    private DateTimeOffset? _myTimeAtSkew;
    private DateTimeOffset? _partnerTimeAtSkew;
    private long _analyzed;

    /// <summary>The partner's state from its last heartbeat answer; <c>unavailable</c> when it could not be reached; null before the first try.</summary>
    public string? PartnerState
    {
        get
        {
            lock (_gate)
            {
                return _partnerState;
            }
        }
    }

    /// <summary>Partner clock minus ours, from the last heartbeat.</summary>
    public TimeSpan ClockSkew
    {
        get
        {
            lock (_gate)
            {
                return _clockSkew;
            }
        }
    }

    /// <summary>This server's clock (whole seconds, UTC) when the last heartbeat answer came; null without one since the partner was last unavailable.</summary>
    public DateTimeOffset? MyTimeAtSkew
    {
        get
        {
            lock (_gate)
            {
                return _myTimeAtSkew;
            }
        }
    }

    /// <summary>True when the partner's unsent-update-count changed with the last heartbeat and is above zero.</summary>
    public bool PartnerHasUnsentUpdates
    {
        get
        {
            lock (_gate)
            {
                return _partnerUnsent is > 0 && _partnerUnsent != _previousPartnerUnsent;
            }
        }
    }

    /// <summary>No successful heartbeat for longer than <c>max-response-delay</c>.</summary>
    public bool IsInterrupted
    {
        get
        {
            lock (_gate)
            {
                return time.GetUtcNow() - _lastPoke > config.MaxResponseDelay;
            }
        }
    }

    /// <summary>Enough clients went unanswered by the partner (<c>max-unacked-clients</c>; 0 means at once).</summary>
    public bool FailureDetected
    {
        get
        {
            lock (_gate)
            {
                return config.MaxUnackedClients == 0 || _unacked.Count > config.MaxUnackedClients;
            }
        }
    }

    /// <summary>A heartbeat answer: the partner is alive; its state, scopes (null: keep the last known), clock and unsent count are recorded.</summary>
    public void Poke(string state, DateTimeOffset partnerTime, IReadOnlyList<string>? scopes, long? unsentUpdates)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _lastPoke = now;
            _everAnswered = true;
            _partnerState = state;
            _partnerScopes = scopes ?? _partnerScopes;
            _previousPartnerUnsent = _partnerUnsent;
            _partnerUnsent = unsentUpdates;

            // Kea reads its own clock to the second (as the partner's RFC 1123 date is), so the skew is whole seconds.
            _myTimeAtSkew = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            _partnerTimeAtSkew = partnerTime.ToUniversalTime();
            _clockSkew = _partnerTimeAtSkew.Value - _myTimeAtSkew.Value;
            _unacked.Clear();
            _connecting.Clear();
            _analyzed = 0;
        }
    }

    /// <summary>The partner did not answer (or answered wrongly): its state becomes <c>unavailable</c> and, as in Kea, the clock skew and both times are forgotten.</summary>
    public void MarkUnavailable()
    {
        lock (_gate)
        {
            _partnerState = HaStateNames.Unavailable;
            _clockSkew = TimeSpan.Zero;
            _myTimeAtSkew = null;
            _partnerTimeAtSkew = null;
        }
    }

    /// <summary>
    /// The state the partner reported outside a heartbeat (Kea 3.x's <c>ha-maintenance-notify</c> with <c>cancel</c>
    /// and its answer carry it); an unknown name leaves the partner <c>unavailable</c>, as Kea does.
    /// </summary>
    public void SetPartnerState(string state)
    {
        lock (_gate)
        {
            _partnerState = HaStateNames.All.Contains(state) ? state : HaStateNames.Unavailable;
        }
    }

    /// <summary>
    /// A query for the partner's scope while communication is interrupted: its client counts as unanswered when its
    /// elapsed time (hundredths of a second) exceeds <c>max-ack-delay</c>.
    /// </summary>
    public void Analyze(Dhcp6Packet query, ILogger log, string serverName)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(log);
        if (query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is not { } clientId)
        {
            return;
        }

        var duid = Convert.ToHexString(clientId.Duid.Bytes);
        var elapsed = query.Message.Options.Get<ElapsedTimeOption>(OptionCode.ElapsedTime)?.Value ?? 0;
        var unacked = TimeSpan.FromMilliseconds(elapsed * 10.0) > config.MaxAckDelay;
        bool newClient, newlyUnacked;
        int unackedTotal;
        lock (_gate)
        {
            _analyzed++;
            newClient = _connecting.Add(duid);
            newlyUnacked = unacked && _unacked.Add(duid);
            unackedTotal = _unacked.Count;
        }

        // Kea logs a client the first time it is seen (if not yet unacked) and the first time it is unacked.
        if (newClient && !unacked)
        {
            log.LogInformation(new EventId(0, "HA_COMMUNICATION_INTERRUPTED_CLIENT6"), "{Server}: {Label}: new client attempting to get a lease from the partner", serverName, query.Label);
        }

        if (newlyUnacked)
        {
            var left = config.MaxUnackedClients >= unackedTotal ? config.MaxUnackedClients - unackedTotal + 1 : 0;
            log.LogInformation(new EventId(0, "HA_COMMUNICATION_INTERRUPTED_CLIENT6_UNACKED"),
                "{Server}: {Label}: partner server failed to respond, {Unacked} clients unacked so far, {Left} clients left before transitioning to the partner-down state",
                serverName, query.Label, unackedTotal, left);
        }
    }

    /// <summary>
    /// The <c>ha-servers.remote</c> map of <c>status-get</c>: Kea 2.2's keys plus Kea 3.x's <c>clock-skew</c>,
    /// <c>server-name</c> and <c>system-time</c>, in Kea's (alphabetical) order.
    /// </summary>
    public JsonObject Report(HaPeerConfig partner)
    {
        lock (_gate)
        {
            var unacked = _unacked.Count;
            var silence = time.GetUtcNow() - _lastPoke;
            var interrupted = silence > config.MaxResponseDelay;

            // Kea counts the clients left before partner-down only while communication is interrupted (0 otherwise),
            // including the one that tips it over; and the age only of a partner it is in touch with.
            var left = interrupted && config.MaxUnackedClients >= unacked ? config.MaxUnackedClients - unacked + 1 : 0;
            return new JsonObject
            {
                ["age"] = _everAnswered ? (long)Math.Max(0, silence.TotalSeconds) : 0L,
                ["analyzed-packets"] = _analyzed,
                ["clock-skew"] = _partnerTimeAtSkew is null ? null : (long)_clockSkew.TotalSeconds,
                ["communication-interrupted"] = interrupted,
                ["connecting-clients"] = _connecting.Count,
                ["in-touch"] = _everAnswered,
                ["last-scopes"] = new JsonArray([.. _partnerScopes.Select(s => (JsonNode)JsonValue.Create(s))]),
                ["last-state"] = _partnerState is null or HaStateNames.Unavailable ? "" : _partnerState,
                ["role"] = HaService.RoleName(partner.Role),
                ["server-name"] = partner.Name,
                ["system-time"] = SystemTime(_partnerTimeAtSkew),
                ["unacked-clients"] = unacked,
                ["unacked-clients-left"] = left,
            };
        }
    }

    /// <summary>Kea 3.x's <c>system-time</c>: <c>YYYY-MM-DD HH:MM:SS</c> in UTC, or JSON null before the first heartbeat answer.</summary>
    public static JsonNode? SystemTime(DateTimeOffset? time) =>
        time is { } t ? JsonValue.Create(t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)) : null;
}
