namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Writes every lease of a lease store (a migration from PostgreSQL) as a memfile lease file in Kea's column-exact
/// format, one row per lease in address order, as lease file cleanup leaves it. The file is written under a
/// temporary name and renamed into place, so a failure leaves no half-written lease file.
/// </summary>
internal static class LeaseFileExport
{
    /// <param name="store">The source; the server using it should be stopped.</param>
    /// <param name="leaseFile">The lease file to write (<c>lease-database</c>'s <c>name</c>).</param>
    /// <param name="replaceExisting">Whether an existing <paramref name="leaseFile"/> may be replaced.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Leases written.</returns>
    /// <exception cref="LeaseFileException">
    /// The file exists (without <paramref name="replaceExisting"/>), or its <c>.completed</c>, <c>.2</c> or <c>.1</c>
    /// does: the server would load those together with it at start.
    /// </exception>
    /// <exception cref="ArgumentException">A lease Kea would not write to a lease file (no DUID and not declined).</exception>
    public static async Task<int> RunAsync(ILeaseStore store, string leaseFile, bool replaceExisting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(leaseFile);
        var files = new LeaseFileSet(Path.GetFullPath(leaseFile));
        if (new[] { files.Finished, files.Previous, files.Input }.FirstOrDefault(File.Exists) is { } other)
        {
            throw new LeaseFileException($"'{other}' exists: the server would load it together with '{files.Current}' at start; move it away first.");
        }

        if (File.Exists(files.Current) && !replaceExisting)
        {
            throw new LeaseFileException($"'{files.Current}' exists; give --overwrite to replace it.");
        }

        var leases = await store.GetAllAsync(cancellationToken).ConfigureAwait(false);

        // Beside the target, so the rename stays on one file system; not a name the server or kea-lfc reads.
        var temporary = $"{files.Current}.copy-{Environment.ProcessId}";
        try
        {
            LeaseFileWriter.WriteFile(temporary, leases);
            File.Move(temporary, files.Current, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return leases.Count;
    }
}
