namespace Pukeko.Server.Leases.Memfile;

/// <summary>Outcome of one cleanup pass.</summary>
/// <param name="Processed">False when a finished <c>.completed</c> from an interrupted run was only rotated into place.</param>
/// <param name="RowsRead">Rows read from <c>.2</c> and <c>.1</c>.</param>
/// <param name="RowErrors">Invalid rows skipped.</param>
/// <param name="LeasesWritten">Live leases written to the new <c>.2</c>.</param>
internal sealed record LeaseFileCleanupResult(bool Processed, int RowsRead, int RowErrors, int LeasesWritten);
