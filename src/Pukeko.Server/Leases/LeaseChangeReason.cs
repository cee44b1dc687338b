namespace Pukeko.Server.Leases;

/// <summary>Why a lease changed: observers (statistics, hooks, HA, DDNS) react differently.</summary>
internal enum LeaseChangeReason
{
    /// <summary>A client got a lease on a block it did not hold (the old lease, if any, was someone's expired one).</summary>
    Allocated,

    /// <summary>A client's own expired, released or reclaimed lease was given back to it.</summary>
    Reactivated,

    /// <summary>Request, Renew or Rebind extended a client's live lease.</summary>
    Extended,

    /// <summary>The server changed a detail of a lease it just wrote (a generated hostname).</summary>
    Amended,

    /// <summary>The server removed a lease its client may no longer keep (its pool or reservation changed).</summary>
    Removed,

    /// <summary>The client released the lease (kept as released for affinity, or deleted).</summary>
    Released,

    /// <summary>The client declined the address: it is in probation.</summary>
    Declined,

    /// <summary>The lease expired and was reclaimed (kept as expired-reclaimed, or deleted).</summary>
    Reclaimed,

    /// <summary>A declined address's probation ended: it is free again.</summary>
    Recovered,

    /// <summary>An expired-reclaimed lease's hold time ended and it was removed.</summary>
    Flushed,

    /// <summary>An operator's lease command (add, update, delete, wipe, bulk-apply).</summary>
    Command,
}
