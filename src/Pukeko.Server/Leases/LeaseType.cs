namespace Pukeko.Server.Leases;

/// <summary>
/// The kind of IA a lease belongs to. The numeric values are exactly what the memfile CSV
/// <c>lease_type</c> column holds, so they must never be renumbered.
/// </summary>
internal enum LeaseType : byte
{
    /// <summary>Non-temporary address (IA_NA).</summary>
    NA = 0,

    /// <summary>Temporary address (IA_TA); deprecated but still readable from old files.</summary>
    TA = 1,

    /// <summary>Delegated prefix (IA_PD).</summary>
    PD = 2,
}
