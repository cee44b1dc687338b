using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Copies the leases of a memfile lease file set into another lease store (a migration to PostgreSQL). The files
/// are read as the server reads them at start (<see cref="LeaseFileLoader.LoadSet"/>: later rows win, a row with
/// valid lifetime 0 removes the lease, expired leases are kept), except that the first bad row fails the copy. The
/// leases are written through the target's own statements, so its rules apply (on PostgreSQL: Kea's columns,
/// local-time <c>expire</c>, the statistics triggers).
/// The copy checks every lease before it writes any (the target can hold it; its address is free unless replacing
/// is asked for), then writes them in address order in batches of <see cref="BatchSize"/>, each batch one database
/// transaction. One transaction for the whole file would be all or nothing, but Kea's counting triggers make a
/// transaction's cost grow with the square of its leases (50 000 leases took minutes). A batch that fails writes
/// nothing and the batches before it stay: the failure (<see cref="LeaseImportInterruptedException"/>) says how far
/// the copy got, and running it again with replacing finishes it, since a lease replaced by the same values leaves
/// every count as it was.
/// </summary>
internal static class LeaseFileImport
{
    /// <summary>
    /// Leases per transaction: large enough that the commit and the round trip are a small part of a batch's time,
    /// small enough that the row versions the triggers leave within it stay few.
    /// </summary>
    public const int BatchSize = 1000;

    /// <param name="store">The target (a database: an <see cref="ILeaseImportTarget"/>); the servers using it should be stopped.</param>
    /// <param name="leaseFile">The lease file's name (<c>lease-database</c>'s <c>name</c>); its <c>.completed</c>, <c>.2</c> and <c>.1</c> are read too.</param>
    /// <param name="replaceExisting">
    /// False: when any address already has a lease in the target, nothing is written and the result lists them.
    /// True: such a lease is replaced by the file's.
    /// </param>
    /// <param name="logger">Receives the loader's warnings (rows it reads with a default).</param>
    /// <param name="cancellationToken">Cancels the copy; the batch being written is rolled back.</param>
    /// <param name="batchSize">Leases a database transaction writes.</param>
    /// <exception cref="LeaseFileException">No such file, a bad header or row (with its line), or a lease file cleanup running.</exception>
    /// <exception cref="InvalidOperationException">A lease the target cannot hold (nothing written), or a lease added to the target during the copy.</exception>
    /// <exception cref="LeaseImportInterruptedException">A batch failed after others were committed.</exception>
    public static async Task<LeaseImportResult> RunAsync(
        ILeaseStore store, string leaseFile, bool replaceExisting, ILogger logger, CancellationToken cancellationToken = default, int batchSize = BatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(leaseFile);
        var target = store as ILeaseImportTarget ?? new LeaseStoreImportTarget(store);
        var files = new LeaseFileSet(Path.GetFullPath(leaseFile));
        if (LeaseLfcPidFile.ForeignHolder(files.Pid) is { } pid)
        {
            throw new LeaseFileException($"Cannot read '{files.Current}': lease file cleanup is running (process {pid}, pid file '{files.Pid}').");
        }

        if (!new[] { files.Current, files.Previous, files.Input, files.Finished }.Any(File.Exists))
        {
            throw new LeaseFileException($"No lease file '{files.Current}' (nor its .completed, .2 or .1).");
        }

        var leases = new Dictionary<Ipv6Address, Lease6>();
        var stats = LeaseFileLoader.LoadSet(files, leases, maxRowErrors: 0, logger, checker: null, stopAtBadRow: true);
        var ordered = leases.Values.OrderBy(l => l.Address).ToList();

        return await CopyInBatchesAsync(target, ordered, stats, replaceExisting, batchSize, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<LeaseImportResult> CopyInBatchesAsync(
        ILeaseImportTarget target, List<Lease6> ordered, IReadOnlyList<LeaseFileLoadStats> stats, bool replaceExisting, int batchSize,
        CancellationToken cancellationToken)
    {
        foreach (var lease in ordered)
        {
            target.ThrowIfNotStorable(lease);
        }

        var existing = new List<Ipv6Address>();
        foreach (var batch in ordered.Chunk(batchSize))
        {
            existing.AddRange(await target.FindExistingAsync([.. batch.Select(l => l.Address)], cancellationToken).ConfigureAwait(false));
        }

        existing.Sort();
        if (existing.Count > 0 && !replaceExisting)
        {
            return new LeaseImportResult(stats, ordered.Count, 0, 0, existing);
        }

        var copied = 0;
        foreach (var batch in ordered.Chunk(batchSize))
        {
            try
            {
                await target.WriteBatchAsync(batch, replaceExisting, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (copied > 0 && e is not OutOfMemoryException)
            {
                throw new LeaseImportInterruptedException(copied, ordered.Count, ordered[copied - 1].Address, e);
            }

            copied += batch.Length;
        }

        return new LeaseImportResult(stats, ordered.Count, ordered.Count - existing.Count, existing.Count, []);
    }
}
