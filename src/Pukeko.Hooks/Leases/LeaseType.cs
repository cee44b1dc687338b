namespace Pukeko.Hooks.Leases;

/// <summary>What a lease is for, with Kea's numeric values (<c>Lease::Type</c>, the lease file's <c>lease_type</c> column).</summary>
public enum LeaseType : byte
{
    /// <summary>A non-temporary address (IA_NA).</summary>
    NA = 0,

    /// <summary>A temporary address (IA_TA).</summary>
    TA = 1,

    /// <summary>A delegated prefix (IA_PD).</summary>
    PD = 2,
}
