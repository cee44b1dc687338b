using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>
/// RFC 5007 leasequery over UDP, as Kea's lease query library answers it: a query from an address outside
/// <c>requesters</c> is dropped and counted in <c>pkt6-admin-filtered</c>; one without a Client Identifier, from
/// <c>::</c>, without OPTION_LQ_QUERY or with a malformed Server Identifier in <c>pkt6-rfc-violation</c>; one for
/// another server in <c>pkt6-not-for-us</c> (all also in <c>pkt6-receive-drop</c>). The rest get a
/// LEASEQUERY-REPLY: QUERY_BY_ADDRESS and QUERY_BY_CLIENTID are answered, other query types get UnknownQueryType.
/// "No data" is a Success reply without client data, as Kea sends it.
/// </summary>
internal sealed class LeaseQueryResponder(LeaseQueryOptions options, LeaseQueryEngine engine, ILogger log) : ILeaseQueryResponder
{
    /// <summary>Kea's logger name for the library's messages.</summary>
    public const string LoggerName = "kea-dhcp6.lease-query-hooks";

    public const string ReplySent = "pkt6-lease-query-reply-sent";

    public LeaseQueryOptions Options => options;

    public async ValueTask<Dhcp6Message?> AnswerAsync(Dhcp6Packet query, ServerRuntime runtime, PacketStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(statistics);
        var label = Label(query.Message, query.RemoteAddress);
        log.LogDebug(new EventId(0, "DHCP6_LEASE_QUERY_RECEIVED"), "received query: {Label}", label);
        try
        {
            var refusal = Check(query.Message, query.RemoteAddress, runtime, statistics);
            if (refusal is not null)
            {
                statistics.ReceiveDrop.Increment();
                log.LogDebug(new EventId(0, "DHCP6_LEASE_QUERY_PROCESS_FAILED"), "processing failed for lease query: {Label}, reason: {Reason}", label, refusal);
                return null;
            }

            var lq = query.Message.Options.Get<LqQueryOption>(OptionCode.LqQuery)!;
            var result = await LookupAsync(lq, runtime).ConfigureAwait(false);
            var reply = LeaseQueryEngine.Answer(MessageType.LeasequeryReply, query.Message, runtime);
            if (result.Leases.Count > 0)
            {
                var client = engine.ClientOption(result.Leases, runtime);
                reply.Options.Add(client);
                if (client is ClientDataOption && engine.RelayData(result.Leases[0]) is { } relay)
                {
                    reply.Options.Add(relay);
                }
            }

            reply.Options.Add(result.Status);
            statistics.Registry.Get(ReplySent).Increment();
            log.LogDebug(new EventId(0, "DHCP6_LEASE_QUERY_REPLY_SENT"), "response: {Label}, sent to {Address}:{Port}", Label(reply, query.RemoteAddress), query.RemoteAddress, query.RemotePort);
            return reply;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            statistics.ProcessingFailed.Increment();
            statistics.ReceiveDrop.Increment();
            log.LogDebug(new EventId(0, "DHCP6_LEASE_QUERY_PROCESS_FAILED"), "processing failed for lease query: {Label}, reason: {Reason}", label, ex.Message);
            return null;
        }
    }

    /// <summary>Kea's checks before a query is looked at, in its order; the reason for a drop (counted), or null.</summary>
    private string? Check(Dhcp6Message query, Ipv6Address requester, ServerRuntime runtime, PacketStatistics statistics)
    {
        if (query.Options.Get<DuidOption>(OptionCode.ClientId) is null)
        {
            statistics.RfcViolation.Increment();
            return "DHCPV6_LEASEQUERY must supply a D6O_CLIENTID";
        }

        if (query.Options.Get<DuidOption>(OptionCode.ServerId) is { } serverId && !serverId.Duid.Equals(runtime.ServerDuid))
        {
            statistics.NotForUs.Increment();
            return $"rejecting DHCPV6_LEASEQUERY from: {requester}, unknown server-id: {serverId.Duid}";
        }

        if (requester == default)
        {
            statistics.RfcViolation.Increment();
            return "DHCPV6_LEASEQUERY source address cannot be ::";
        }

        if (!options.Requesters.Contains(requester))
        {
            statistics.AdminFiltered.Increment();
            return $"rejecting DHCPV6_LEASEQUERY from unauthorized requester: {requester}";
        }

        if (query.Options.Get(OptionCode.LqQuery) is not LqQueryOption)
        {
            statistics.RfcViolation.Increment();
            return "DHCPV6_LEASEQUERY must supply a D6O_LQ_QUERY option";
        }

        return null;
    }

    private async ValueTask<LeaseQueryResult> LookupAsync(LqQueryOption lq, ServerRuntime runtime)
    {
        switch (lq.QueryType)
        {
            case LeasequeryType.ByAddress:
                return lq.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { } address
                    ? await engine.ByAddressAsync(address.Address, runtime).ConfigureAwait(false)
                    : Malformed("missing D6O_IAADDR");

            case LeasequeryType.ByClientId:
                return lq.Options.Get<DuidOption>(OptionCode.ClientId) is { } clientId
                    ? clientId.Duid.Length == 0
                        ? Malformed("malformed D6O_CLIENTID")
                        : await engine.ByClientIdAsync(clientId.Duid.ToArray(), lq.LinkAddress, runtime).ConfigureAwait(false)
                    : Malformed("missing D6O_CLIENTID");

            default:
                return new LeaseQueryResult(LeaseQueryEngine.Status(StatusCode.UnknownQueryType, "unknown query-type"), []);
        }
    }

    private static LeaseQueryResult Malformed(string message) => new(LeaseQueryEngine.Status(StatusCode.MalformedQuery, message), []);

    /// <summary>Kea's label for a leasequery message in its log lines.</summary>
    public static string Label(Dhcp6Message message, Ipv6Address requester) =>
        $"type: {TypeName(message.Type)}, client id: {message.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid.ToString() ?? "<none>"}, requester: {requester}, transid: {message.TransactionId}";

    private static string TypeName(MessageType type) => type switch
    {
        MessageType.Leasequery => "LEASEQUERY",
        MessageType.LeasequeryReply => "LEASEQUERY_REPLY",
        MessageType.LeasequeryData => "LEASEQUERY_DATA",
        MessageType.LeasequeryDone => "LEASEQUERY_DONE",
        _ => type.ToString().ToUpperInvariant(),
    };
}
