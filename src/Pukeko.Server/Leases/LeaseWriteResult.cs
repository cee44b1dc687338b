namespace Pukeko.Server.Leases;

/// <summary>What a conditional lease write did.</summary>
internal enum LeaseWriteResult
{
    /// <summary>The change is stored (and, for a persistent store, handed to the OS).</summary>
    Written,

    /// <summary>There is no lease for the address (update, delete), so nothing changed.</summary>
    NotFound,

    /// <summary>
    /// The stored lease is not the one the caller read (another worker or server changed it in
    /// between), or the address is already taken (insert): nothing changed.
    /// </summary>
    Conflict,
}
