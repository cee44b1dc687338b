using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>The outcome of one lookup: the status to answer with and the active leases found (newest first for a client).</summary>
internal sealed record LeaseQueryResult(StatusCodeOption Status, IReadOnlyList<Lease6> Leases);

/// <summary>
/// The lookups and answer parts both leasequery services share (RFC 5007 over UDP, RFC 5460 over TCP), with Kea's
/// rules: only leases in the default state and not expired count; a link address names every configured subnet
/// whose prefix holds it; the relay data comes from the extended info Kea keeps in the lease's user context
/// (<c>ISC.relay-info</c>, or <c>ISC.relays</c> as written by older versions).
/// </summary>
internal sealed class LeaseQueryEngine(ILeaseStore store, TimeProvider time, ILogger log, IReadOnlyList<byte>? configuredPrefixLengths)
{
    // One object, so that a reader never pairs one configuration with another's lengths.
    private volatile PoolLengths? _poolLengths;

    private sealed record PoolLengths(ServerRuntime Runtime, IReadOnlyList<byte> Lengths);

    public ILeaseStore Store => store;

    public long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public static StatusCodeOption Status(StatusCode code, string message) => new(code, message);

    /// <summary>True for a lease Kea reports: default state, not expired.</summary>
    public bool IsActive(Lease6 lease, long now) => lease.State == LeaseState.Default && !lease.IsExpired(now);

    /// <summary>
    /// The delegated lengths tried for an address without a lease of its own, longest first: the configured
    /// <c>prefix-lengths</c>, or those of the PD pools of <paramref name="runtime"/> (Kea's default, logged when built).
    /// </summary>
    public IReadOnlyList<byte> PrefixLengths(ServerRuntime runtime)
    {
        if (configuredPrefixLengths is not null)
        {
            return configuredPrefixLengths;
        }

        if (_poolLengths is { } cached && ReferenceEquals(cached.Runtime, runtime))
        {
            return cached.Lengths;
        }

        var lengths = runtime.Subnets.SelectMany(s => s.PdPools).Select(p => p.DelegatedLength).Distinct().OrderDescending().ToArray();
        _poolLengths = new PoolLengths(runtime, lengths);
        log.LogDebug(new EventId(0, "DHCP6_LEASE_QUERY_PREFIX_LENGTH_LIST"), "the list of prefix lengths to use when searching will be: [ {Lengths} ]", string.Join(", ", lengths));
        return lengths;
    }

    /// <summary>The subnets a link address names: null for <c>::</c> (any link), empty when no subnet holds it.</summary>
    public static HashSet<uint>? Links(Ipv6Address link, ServerRuntime runtime) =>
        link == default ? null : runtime.Subnets.Where(s => s.Prefix.Contains(link)).Select(s => s.Id).ToHashSet();

    /// <summary>QUERY_BY_ADDRESS: the lease of the address, or of a delegated prefix holding it.</summary>
    public async ValueTask<LeaseQueryResult> ByAddressAsync(Ipv6Address address, ServerRuntime runtime, CancellationToken cancellationToken = default)
    {
        var lease = await store.GetAsync(address, cancellationToken).ConfigureAwait(false);
        if (lease is not null && lease.Type == LeaseType.PD)
        {
            // An address lookup is for an address lease; the prefix search below finds delegated prefixes.
            lease = null;
        }

        if (lease is null)
        {
            foreach (var length in PrefixLengths(runtime))
            {
                var prefix = new Ipv6Prefix(address, length).First;
                var candidate = await store.GetAsync(prefix, cancellationToken).ConfigureAwait(false);
                if (candidate is { Type: LeaseType.PD })
                {
                    lease = candidate;
                    break;
                }
            }
        }

        if (lease is not null)
        {
            return IsActive(lease, Now)
                ? new LeaseQueryResult(Status(StatusCode.Success, "active lease found"), [lease])
                : new LeaseQueryResult(Status(StatusCode.Success, "inactive lease exists"), []);
        }

        var inPool = runtime.Subnets.Any(s => s.FindPool(address) is not null || s.FindPdPool(address) is not null);
        return inPool
            ? new LeaseQueryResult(Status(StatusCode.Success, "no active lease"), [])
            : new LeaseQueryResult(Status(StatusCode.NotConfigured, "address not in a configured pool"), []);
    }

    /// <summary>QUERY_BY_CLIENTID: the client's active leases on the link (any link for <c>::</c>), most recent first.</summary>
    public async ValueTask<LeaseQueryResult> ByClientIdAsync(ReadOnlyMemory<byte> duid, Ipv6Address link, ServerRuntime runtime, CancellationToken cancellationToken = default)
    {
        var links = Links(link, runtime);
        if (links is { Count: 0 })
        {
            return new LeaseQueryResult(Status(StatusCode.NotConfigured, "not a configured link"), []);
        }

        var now = Now;
        var leases = (await store.GetByDuidAsync(duid, cancellationToken).ConfigureAwait(false))
            .Where(l => IsActive(l, now) && (links is null || links.Contains(l.SubnetId)))
            .OrderByDescending(l => l.Cltt)
            .ToList();
        return leases.Count > 0
            ? new LeaseQueryResult(Status(StatusCode.Success, "active lease(s) found"), leases)
            : new LeaseQueryResult(Status(StatusCode.Success, "no active leases"), []);
    }

    /// <summary>
    /// A LEASEQUERY-REPLY (or -DATA, -DONE) to <paramref name="query"/>: same transaction id; a reply carries the
    /// query's Client Identifier and the server's, as Kea's does.
    /// </summary>
    public static Dhcp6Message Answer(MessageType type, Dhcp6Message query, ServerRuntime runtime)
    {
        var answer = new Dhcp6Message(type, query.TransactionId);
        if (type == MessageType.LeasequeryReply)
        {
            if (query.Options.Get<DuidOption>(OptionCode.ClientId) is { } clientId)
            {
                answer.Options.Add(clientId.Clone());
            }

            answer.Options.Add(runtime.ServerIdOption.Clone());
        }

        return answer;
    }

    /// <summary>
    /// The client part of a UDP reply (RFC 5007 §4.3.3): OPTION_LQ_CLIENT_LINK with the subnets when the leases are on
    /// more than one link, otherwise one OPTION_CLIENT_DATA with the first lease's DUID and CLT_TIME and every lease.
    /// </summary>
    public DhcpOption ClientOption(IReadOnlyList<Lease6> leases, ServerRuntime runtime)
    {
        var links = leases.Select(l => l.SubnetId).Where(id => id != 0).Distinct().ToList();
        if (links.Count > 1)
        {
            return new AddressListOption(OptionCode.LqClientLink, links.Select(runtime.FindSubnet).OfType<Configuration.Subnet6>().Select(s => s.Prefix.First));
        }

        var now = Now;
        var data = new ClientDataOption();
        data.Options.Add(new DuidOption(OptionCode.ClientId, new Duid(leases[0].Duid)));
        data.Options.Add(new Uint32Option(OptionCode.CltTime, Elapsed(leases[0], now)));
        foreach (var lease in leases)
        {
            data.Options.Add(Binding(lease, now));
        }

        return data;
    }

    /// <summary>One lease as OPTION_CLIENT_DATA, with its relay data inside (a bulk answer's form).</summary>
    public ClientDataOption ClientData(Lease6 lease)
    {
        var now = Now;
        var data = new ClientDataOption();
        data.Options.Add(new DuidOption(OptionCode.ClientId, new Duid(lease.Duid)));
        data.Options.Add(new Uint32Option(OptionCode.CltTime, Elapsed(lease, now)));
        data.Options.Add(Binding(lease, now));
        if (RelayData(lease) is { } relay)
        {
            data.Options.Add(relay);
        }

        return data;
    }

    private static uint Elapsed(Lease6 lease, long now) => lease.Cltt < now ? (uint)Math.Min(now - lease.Cltt, uint.MaxValue) : 0;

    /// <summary>The lease as IAADDR or IAPREFIX, its lifetimes less the time since the client was last heard.</summary>
    private static DhcpOption Binding(Lease6 lease, long now)
    {
        var elapsed = Elapsed(lease, now);
        var preferred = elapsed < lease.PreferredLifetime ? lease.PreferredLifetime - elapsed : lease.PreferredLifetime;
        var valid = elapsed < lease.ValidLifetime ? lease.ValidLifetime - elapsed : lease.ValidLifetime;
        return lease.Type == LeaseType.PD
            ? new IaPrefixOption(preferred, valid, lease.PrefixLength, lease.Address)
            : new IaAddressOption(lease.Address, preferred, valid);
    }

    /// <summary>
    /// OPTION_LQ_RELAY_DATA rebuilt from the relay information stored with the lease: the outermost relay's peer
    /// address and the Relay-forward layers, outermost first, each holding the next in a Relay Message option (the
    /// client's own message is not kept, so the innermost layer holds only its options). Null when nothing is stored;
    /// stored information that cannot be read is logged and left out.
    /// </summary>
    public LqRelayDataOption? RelayData(Lease6 lease)
    {
        if (lease.UserContext is null)
        {
            return null;
        }

        try
        {
            var relays = RelayInfo.Parse(lease.UserContext);
            if (relays is null)
            {
                return null;
            }

            byte[] inner = [];
            for (var i = relays.Count - 1; i >= 0; i--)
            {
                var relay = relays[i];
                var withInner = i == relays.Count - 1 ? 0 : 4 + inner.Length;
                var layer = new byte[34 + relay.Options.Length + withInner];
                layer[0] = (byte)MessageType.RelayForward;
                layer[1] = relay.Hop;
                relay.Link.Write(layer.AsSpan(2, 16));
                relay.Peer.Write(layer.AsSpan(18, 16));
                relay.Options.CopyTo(layer.AsSpan(34));
                if (withInner > 0)
                {
                    var at = 34 + relay.Options.Length;
                    layer[at] = 0;
                    layer[at + 1] = (byte)OptionCode.RelayMessage;
                    layer[at + 2] = (byte)(inner.Length >> 8);
                    layer[at + 3] = (byte)inner.Length;
                    inner.CopyTo(layer.AsSpan(at + 4));
                }

                inner = layer;
            }

            return new LqRelayDataOption(relays[0].Peer, inner);
        }
        catch (FormatException ex)
        {
            log.LogWarning(new EventId(0, "DHCP6_LEASE_QUERY_ERROR_GETTING_RELAY_INFO"), "failed to get relay information for lease: {Lease}, reason: {Reason}", lease, ex.Message);
            return null;
        }
    }
}

/// <summary>One relay layer as Kea stores it in a lease's extended info.</summary>
internal sealed record RelayInfo(byte Hop, Ipv6Address Link, Ipv6Address Peer, byte[] Options, byte[]? RemoteId, byte[]? RelayId)
{
    /// <summary>The relays in <c>ISC.relay-info</c> (or <c>ISC.relays</c>), outermost first; null when there are none.</summary>
    /// <exception cref="FormatException">The stored information is not what Kea writes.</exception>
    public static IReadOnlyList<RelayInfo>? Parse(string userContext)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(userContext).RootElement;
        }
        catch (JsonException ex)
        {
            throw new FormatException($"user context is not JSON: {ex.Message}", ex);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ISC", out var isc) || isc.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!isc.TryGetProperty("relay-info", out var list) && !isc.TryGetProperty("relays", out list))
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("relay-info element empty or not a list");
        }

        var relays = new List<RelayInfo>();
        foreach (var relay in list.EnumerateArray())
        {
            if (relay.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("relay element empty or not a map");
            }

            if (!relay.TryGetProperty("hop", out var hop) || !hop.TryGetByte(out var hopCount))
            {
                throw new FormatException("'hop' is missing or invalid");
            }

            relays.Add(new RelayInfo(
                hopCount,
                Address(relay, "link"),
                Address(relay, "peer"),
                relay.TryGetProperty("options", out var options) ? Hex(options.GetString(), "options") : [],
                relay.TryGetProperty("remote-id", out var remote) ? Hex(remote.GetString(), "remote-id") : null,
                relay.TryGetProperty("relay-id", out var relayId) ? Hex(relayId.GetString(), "relay-id") : null));
        }

        if (relays.Count == 0)
        {
            throw new FormatException("relay info list should not be empty");
        }

        return relays;
    }

    private static Ipv6Address Address(JsonElement relay, string key) =>
        relay.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && Ipv6Address.TryParse(value.GetString(), out var address)
            ? address
            : throw new FormatException($"'{key}' is missing or not an IPv6 address");

    /// <summary>Kea's formatted hex: an optional 0x, with or without ':' or ' ' between bytes.</summary>
    public static byte[] Hex(string? text, string key)
    {
        var digits = (text ?? throw new FormatException($"'{key}' is not a string")).Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        digits = digits.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        try
        {
            return Convert.FromHexString(digits.Length % 2 == 1 ? "0" + digits : digits);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{key}' is invalid: '{text}' is not hexadecimal");
        }
    }

    internal static string Describe(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
}
