using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Holds a reply whose leases are committed until others have heard of them (HA's lease updates, Kea's
/// <c>leases6_committed</c> callout of libdhcp_ha.so, which parks the packet until its partner acknowledges).
/// Called concurrently by workers; a result that is not complete at once means the packet is parked.
/// </summary>
internal interface ICommittedLeasesGate
{
    /// <param name="query">The client's query.</param>
    /// <param name="selectedSubnet">The subnet selection gave the query (see <see cref="ProcessingContext.SelectedSubnet"/>).</param>
    /// <param name="changes">The lease changes the query committed (possibly none).</param>
    /// <param name="parkedPacketLimit">Dhcp6 <c>parked-packet-limit</c> (0: no limit).</param>
    ValueTask<CommittedLeasesOutcome> LeasesCommittedAsync(Dhcp6Packet query, Subnet6? selectedSubnet, IReadOnlyList<LeaseChange> changes, uint parkedPacketLimit);
}

/// <summary>What becomes of a reply after <see cref="ICommittedLeasesGate"/>.</summary>
internal enum CommittedLeasesOutcome
{
    /// <summary>The reply goes out.</summary>
    Send,

    /// <summary>The reply is dropped (an update was not acknowledged; the client retransmits).</summary>
    Drop,

    /// <summary>The packet would have to wait, but <c>parked-packet-limit</c> packets already do: dropped, <c>pkt6-queue-full</c>.</summary>
    ParkingLotFull,
}
