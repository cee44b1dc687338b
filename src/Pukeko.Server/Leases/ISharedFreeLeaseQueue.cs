namespace Pukeko.Server.Leases;

/// <summary>
/// A lease store whose database has Kea 3.x's shared free-lease queue (<c>free_lease6</c>, schema 33.0 and later).
/// Kea servers whose subnet uses the <c>shared-flq</c> allocator pick their addresses and prefixes from it, and their
/// backend keeps it in step with every write of such a subnet's leases. So must Pukeko's, or the Kea servers sharing
/// the database would offer what Pukeko holds and never again offer what it freed.
/// </summary>
internal interface ISharedFreeLeaseQueue
{
    /// <summary>The schema has the queue.</summary>
    bool HasSharedFreeLeaseQueue { get; }

    /// <summary>
    /// The subnets and lease types (IA_NA: <c>allocator</c>, IA_PD: <c>pd-allocator</c>) configured with
    /// <c>shared-flq</c>, whose writes keep the queue up to date; set at each configuration. Has no effect on a
    /// schema without the queue.
    /// </summary>
    IReadOnlySet<(uint SubnetId, LeaseType Type)> SharedFreeLeaseQueueSubnets { get; set; }
}
