using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>What <see cref="LeaseFileImport"/> did.</summary>
/// <param name="Files">The files read, in the order read (missing ones with no rows).</param>
/// <param name="Leases">Leases the files hold once replayed.</param>
/// <param name="Inserted">Leases written to addresses that had none.</param>
/// <param name="Replaced">Leases that replaced one already there.</param>
/// <param name="Existing">Addresses that already had a lease when replacing was not asked for: then nothing was written.</param>
internal sealed record LeaseImportResult(
    IReadOnlyList<LeaseFileLoadStats> Files, int Leases, int Inserted, int Replaced, IReadOnlyList<Ipv6Address> Existing)
{
    /// <summary>Whether the leases were committed to the target.</summary>
    public bool Written => Existing.Count == 0;
}
