using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Decides, right after unpacking, whether this server answers a query at all (HA's scopes, Kea's
/// <c>buffer6_receive</c> callout of libdhcp_ha.so). A refused query is dropped and counted as
/// <c>pkt6-receive-drop</c>. Called concurrently by workers.
/// </summary>
internal interface IQueryFilter
{
    bool Accept(Dhcp6Packet query);
}
