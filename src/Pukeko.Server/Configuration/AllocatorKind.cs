namespace Pukeko.Server.Configuration;

/// <summary>Kea's <c>allocator</c> / <c>pd-allocator</c> choices that Pukeko implements.</summary>
internal enum AllocatorKind
{
    /// <summary>Next block after the last one handed out (Kea's default).</summary>
    Iterative,

    /// <summary>Blocks in a random order without repeats until the pool is exhausted.</summary>
    Random,

    /// <summary>
    /// Kea 3.x's <c>shared-flq</c>: several servers on one database share a queue of free leases. Pukeko picks at
    /// random (collisions between servers stay rare, and the database's key decides them) and, on a schema with the
    /// queue, keeps it up to date with every write, so Kea servers picking from it see what Pukeko holds and frees.
    /// </summary>
    SharedFreeLeaseQueue,
}
