namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// <c>sanity-checks.lease-checks</c>: what loading the lease file does with an address lease whose subnet-id is
/// not the subnet its address belongs to.
/// </summary>
internal enum LeaseSanityMode
{
    /// <summary>No check.</summary>
    None,

    /// <summary>Log a warning, keep the lease as it is (Kea's default).</summary>
    Warn,

    /// <summary>Move the lease to the subnet its address belongs to; keep it as it is (and warn) when there is none.</summary>
    Fix,

    /// <summary>As <see cref="Fix"/>, but drop the lease when no subnet holds its address.</summary>
    FixDelete,

    /// <summary>Drop the lease.</summary>
    Delete,
}
