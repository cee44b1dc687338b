using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>
/// One bulk leasequery (RFC 5460 §7), answered as Kea's library answers it: a query with nothing to report (or a
/// mistake in it) gets a single LEASEQUERY-REPLY with its status; otherwise the first binding goes in a
/// LEASEQUERY-REPLY with the status, each further one in a LEASEQUERY-DATA, and a LEASEQUERY-DONE ends the answer.
/// Each binding is an OPTION_CLIENT_DATA with its relay data inside. QUERY_BY_RELAY_ID, QUERY_BY_REMOTE_ID and
/// QUERY_BY_LINK_ADDRESS need <c>extended-info-tables-enabled</c> (NotAllowed otherwise, as in Kea); Pukeko's stores
/// have no extended-info index, so relay-id and remote-id queries read the leases page by page.
/// </summary>
internal sealed class BulkLeaseQuery(LeaseQueryEngine engine, BulkLeaseQueryOptions options, ServerRuntime runtime)
{
    /// <summary>Why a query is not answered at all (Kea's invalid requests); null when it is answered.</summary>
    public static string? Invalid(Dhcp6Message query, ServerRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(runtime);
        if (query.Options.Get<DuidOption>(OptionCode.ClientId) is null)
        {
            return "DHCPV6_LEASEQUERY must supply a D6O_CLIENTID";
        }

        if (query.Options.Get<DuidOption>(OptionCode.ServerId) is { } serverId && !serverId.Duid.Equals(runtime.ServerDuid))
        {
            return $"rejecting DHCPV6_LEASEQUERY unknown server-id: {serverId.Duid}";
        }

        return query.Options.Get(OptionCode.LqQuery) is LqQueryOption ? null : "DHCPV6_LEASEQUERY must supply a D6O_LQ_QUERY option";
    }

    /// <summary>Answers a valid query (see <see cref="Invalid"/>): each message in order to <paramref name="send"/>.</summary>
    public async Task RunAsync(Dhcp6Message query, Func<Dhcp6Message, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(send);
        var lq = query.Options.Get<LqQueryOption>(OptionCode.LqQuery)!;
        var answer = new Answer(query, runtime, engine, send);
        switch (lq.QueryType)
        {
            case LeasequeryType.ByAddress:
                if (lq.Options.Get<IaAddressOption>(OptionCode.IaAddr) is not { } address)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "missing D6O_IAADDR", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await answer.AllAsync(await engine.ByAddressAsync(address.Address, runtime, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                return;

            case LeasequeryType.ByClientId:
                if (lq.Options.Get<DuidOption>(OptionCode.ClientId) is not { } clientId)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "missing D6O_CLIENTID", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await answer.AllAsync(await engine.ByClientIdAsync(clientId.Duid.ToArray(), lq.LinkAddress, runtime, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                return;

            case LeasequeryType.ByRelayId:
                if (lq.Options.Get(OptionCode.RelayId) is not { } relayId)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "missing D6O_RELAY_ID", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await ScanAsync(answer, lq.LinkAddress, relayId.GetData(), byRemoteId: false, cancellationToken).ConfigureAwait(false);
                return;

            case LeasequeryType.ByRemoteId:
                if (lq.Options.Get(OptionCode.RemoteId) is not { } remoteId)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "missing D6O_REMOTE_ID", cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (remoteId.DataLength == 0)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "empty D6O_REMOTE_ID", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await ScanAsync(answer, lq.LinkAddress, remoteId.GetData(), byRemoteId: true, cancellationToken).ConfigureAwait(false);
                return;

            case LeasequeryType.ByLinkAddress:
                if (lq.LinkAddress == default)
                {
                    await answer.OnlyAsync(StatusCode.MalformedQuery, "undefined link address", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await LinkAsync(answer, lq.LinkAddress, cancellationToken).ConfigureAwait(false);
                return;

            default:
                await answer.OnlyAsync(StatusCode.UnknownQueryType, "unknown query-type", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>QUERY_BY_RELAY_ID and QUERY_BY_REMOTE_ID: every active lease whose stored relay information carries the id.</summary>
    private async Task ScanAsync(Answer answer, Ipv6Address link, byte[] id, bool byRemoteId, CancellationToken cancellationToken)
    {
        if (!options.ExtendedInfoTablesEnabled)
        {
            await answer.OnlyAsync(StatusCode.NotAllowed, "extended info tables are disabled", cancellationToken).ConfigureAwait(false);
            return;
        }

        var links = LeaseQueryEngine.Links(link, runtime);
        if (links is { Count: 0 })
        {
            await answer.OnlyAsync(StatusCode.NotConfigured, "not a configured link", cancellationToken).ConfigureAwait(false);
            return;
        }

        Ipv6Address? after = null;
        while (true)
        {
            var page = await engine.Store.GetPageAsync(after, options.MaxLeasesPerFetch, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1].Address;
            var now = engine.Now;
            foreach (var lease in page)
            {
                if (engine.IsActive(lease, now) && (links is null || links.Contains(lease.SubnetId)) && Carries(lease, id, byRemoteId))
                {
                    await answer.NextAsync(lease, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await answer.EndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>QUERY_BY_LINK_ADDRESS: every active lease of the subnets the link address names.</summary>
    private async Task LinkAsync(Answer answer, Ipv6Address link, CancellationToken cancellationToken)
    {
        if (!options.ExtendedInfoTablesEnabled)
        {
            await answer.OnlyAsync(StatusCode.NotAllowed, "extended info tables are disabled", cancellationToken).ConfigureAwait(false);
            return;
        }

        var links = LeaseQueryEngine.Links(link, runtime)!;
        if (links.Count == 0)
        {
            await answer.OnlyAsync(StatusCode.NotConfigured, "not a configured link", cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var subnetId in links.Order())
        {
            var now = engine.Now;
            foreach (var lease in (await engine.Store.GetBySubnetAsync(subnetId, cancellationToken).ConfigureAwait(false)).OrderBy(l => l.Address))
            {
                if (engine.IsActive(lease, now))
                {
                    await answer.NextAsync(lease, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await answer.EndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when a relay recorded for the lease had this relay-id (or remote-id): its own key or, failing that, the option among its options.</summary>
    private static bool Carries(Lease6 lease, byte[] id, bool byRemoteId)
    {
        if (lease.UserContext is null)
        {
            return false;
        }

        IReadOnlyList<RelayInfo>? relays;
        try
        {
            relays = RelayInfo.Parse(lease.UserContext);
        }
        catch (FormatException)
        {
            return false;
        }

        foreach (var relay in relays ?? [])
        {
            var stored = (byRemoteId ? relay.RemoteId : relay.RelayId) ?? OptionData(relay.Options, byRemoteId ? OptionCode.RemoteId : OptionCode.RelayId);
            if (stored is not null && stored.AsSpan().SequenceEqual(id))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[]? OptionData(byte[] options, ushort code)
    {
        var at = 0;
        while (at + 4 <= options.Length)
        {
            var found = (ushort)((options[at] << 8) | options[at + 1]);
            var length = (options[at + 2] << 8) | options[at + 3];
            if (at + 4 + length > options.Length)
            {
                return null;
            }

            if (found == code)
            {
                return options.AsSpan(at + 4, length).ToArray();
            }

            at += 4 + length;
        }

        return null;
    }

    /// <summary>The messages of one answer, in RFC 5460's order.</summary>
    private sealed class Answer(Dhcp6Message query, ServerRuntime runtime, LeaseQueryEngine engine, Func<Dhcp6Message, CancellationToken, ValueTask> send)
    {
        private bool _started;
        private StatusCodeOption _found = LeaseQueryEngine.Status(StatusCode.Success, "active lease(s) found");

        /// <summary>A single LEASEQUERY-REPLY with only a status: the whole answer.</summary>
        public ValueTask OnlyAsync(StatusCode status, string message, CancellationToken cancellationToken) =>
            OnlyAsync(LeaseQueryEngine.Status(status, message), cancellationToken);

        private ValueTask OnlyAsync(StatusCodeOption status, CancellationToken cancellationToken)
        {
            var reply = LeaseQueryEngine.Answer(MessageType.LeasequeryReply, query, runtime);
            reply.Options.Add(status);
            return send(reply, cancellationToken);
        }

        /// <summary>The leases of a lookup: a status-only reply when there are none.</summary>
        public async ValueTask AllAsync(LeaseQueryResult result, CancellationToken cancellationToken)
        {
            if (result.Leases.Count == 0)
            {
                await OnlyAsync(result.Status, cancellationToken).ConfigureAwait(false);
                return;
            }

            _found = result.Status;
            foreach (var lease in result.Leases)
            {
                await NextAsync(lease, cancellationToken).ConfigureAwait(false);
            }

            await EndAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>One binding: in the LEASEQUERY-REPLY when it is the first, in a LEASEQUERY-DATA after.</summary>
        public ValueTask NextAsync(Lease6 lease, CancellationToken cancellationToken)
        {
            Dhcp6Message message;
            if (!_started)
            {
                _started = true;
                message = LeaseQueryEngine.Answer(MessageType.LeasequeryReply, query, runtime);
                message.Options.Add(engine.ClientData(lease));
                message.Options.Add(_found);
            }
            else
            {
                message = LeaseQueryEngine.Answer(MessageType.LeasequeryData, query, runtime);
                message.Options.Add(engine.ClientData(lease));
            }

            return send(message, cancellationToken);
        }

        /// <summary>LEASEQUERY-DONE after the bindings; a status-only reply when there were none.</summary>
        public ValueTask EndAsync(CancellationToken cancellationToken) =>
            _started
                ? send(LeaseQueryEngine.Answer(MessageType.LeasequeryDone, query, runtime), cancellationToken)
                : OnlyAsync(StatusCode.Success, "no active leases", cancellationToken);
    }
}
