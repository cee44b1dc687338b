using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Copies the leases of a memfile lease file set into another lease store (a migration to PostgreSQL). The files
/// are read as the server reads them at start (<see cref="LeaseFileLoader.LoadSet"/>: later rows win, a row with
/// valid lifetime 0 removes the lease, expired leases are kept), except that the first bad row fails the copy. The
/// leases are written through the target's own unit of work, in one transaction where the target has them
/// (<see cref="ITransactionalLeaseStore"/>), so the target's rules apply (on PostgreSQL: Kea's columns, local-time
/// <c>expire</c>, the statistics triggers) and a failure writes nothing.
/// </summary>
internal static class LeaseFileImport
{
    /// <param name="store">The target; the server using it should be stopped.</param>
    /// <param name="leaseFile">The lease file's name (<c>lease-database</c>'s <c>name</c>); its <c>.completed</c>, <c>.2</c> and <c>.1</c> are read too.</param>
    /// <param name="replaceExisting">
    /// False: when any address already has a lease in the target, nothing is written and the result lists them.
    /// True: such a lease is replaced by the file's.
    /// </param>
    /// <param name="logger">Receives the loader's warnings (rows it reads with a default).</param>
    /// <param name="cancellationToken">Cancels the copy; the transaction is rolled back.</param>
    /// <exception cref="LeaseFileException">No such file, a bad header or row (with its line), or a lease file cleanup running.</exception>
    /// <exception cref="InvalidOperationException">A lease the target cannot hold, or a lease that changed in the target during the copy.</exception>
    public static async Task<LeaseImportResult> RunAsync(
        ILeaseStore store, string leaseFile, bool replaceExisting, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(leaseFile);
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

        int inserted = 0, replaced = 0;
        var existing = new List<Ipv6Address>();
        await using var unit = store is ITransactionalLeaseStore database ? database.BeginTransaction() : store.BeginWork();
        foreach (var lease in ordered)
        {
            if (await unit.InsertAsync(lease, cancellationToken).ConfigureAwait(false) == LeaseWriteResult.Written)
            {
                inserted++;
            }
            else if (!replaceExisting)
            {
                existing.Add(lease.Address);
            }
            else
            {
                // The row was there before the copy began (the file has one lease per address), so a read outside
                // this transaction sees the version to replace.
                var current = await store.GetAsync(lease.Address, cancellationToken).ConfigureAwait(false);
                if (current is null || await unit.UpdateAsync(current, lease, cancellationToken).ConfigureAwait(false) != LeaseWriteResult.Written)
                {
                    throw new InvalidOperationException($"lease {lease.Address} changed in the target while it was copied; is a server still using it?");
                }

                replaced++;
            }
        }

        if (existing.Count > 0)
        {
            await unit.AbandonAsync(cancellationToken).ConfigureAwait(false);
            return new LeaseImportResult(stats, ordered.Count, 0, 0, existing);
        }

        await unit.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LeaseImportResult(stats, ordered.Count, inserted, replaced, existing);
    }
}
