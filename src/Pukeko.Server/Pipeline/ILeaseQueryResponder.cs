using Pukeko.Protocol.Messages;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Answers LEASEQUERY messages (the built-in lease query library): the pipeline hands them over on arrival, as
/// Kea's library takes them in <c>buffer6_receive</c>, before the server's own checks.
/// </summary>
internal interface ILeaseQueryResponder
{
    /// <summary>The LEASEQUERY-REPLY to send to the requester, or null when the query is dropped (counted here).</summary>
    ValueTask<Dhcp6Message?> AnswerAsync(Dhcp6Packet query, ServerRuntime runtime, PacketStatistics statistics);
}
