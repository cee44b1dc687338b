using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Decides, right after unpacking, whether this server answers a query at all (HA's scopes, Kea's
/// <c>buffer6_receive</c> callout of libdhcp_ha.so). A refused query is dropped and counted as
/// <c>pkt6-receive-drop</c>. Called concurrently by workers.
/// </summary>
internal interface IQueryFilter
{
    bool Accept(Dhcp6Packet query);

    /// <summary>
    /// Decides again once the subnet is selected (after <c>subnet6_select</c> callouts; Kea's HA library does this in
    /// its <c>subnet6_select</c> callout when it has several relationships). A refused query is dropped; the filter
    /// counts and logs it itself.
    /// </summary>
    bool AcceptInSubnet(Dhcp6Packet query, Subnet6? subnet) => true;
}
