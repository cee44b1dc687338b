using System.Text;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Replays a lease file with memfile semantics: the file is a log, a later row for an address replaces the earlier
/// one, and a row with valid lifetime 0 deletes the address's lease.
/// </summary>
internal static class LeaseFileLoader
{
    /// <summary>Replays <paramref name="path"/> into <paramref name="leases"/> (the leases loaded so far, from earlier files).</summary>
    /// <inheritdoc cref="Load(string, ILeaseReplayTarget, uint, ILogger, LeaseSanityChecker?, bool)"/>
    public static LeaseFileLoadStats Load(
        string path, Dictionary<Ipv6Address, Lease6> leases, uint maxRowErrors, ILogger logger, LeaseSanityChecker? checker = null, bool stopAtBadRow = false) =>
        Load(path, new LeaseDictionaryReplay(leases), maxRowErrors, logger, checker, stopAtBadRow);

    /// <param name="path">File to read; a missing or empty file loads nothing.</param>
    /// <param name="leases">Where the rows are replayed: the leases loaded so far (from earlier files).</param>
    /// <param name="maxRowErrors">Bad rows tolerated in this file; 0 = unlimited.</param>
    /// <param name="logger">Receives one warning per bad row, with file and line number.</param>
    /// <param name="checker"><c>sanity-checks</c> applied to each row before it is replayed; null checks nothing.</param>
    /// <param name="stopAtBadRow">The first bad row fails the load (a migration copies all or nothing), whatever <paramref name="maxRowErrors"/> says.</param>
    /// <exception cref="LeaseFileException">Bad header, or more than <paramref name="maxRowErrors"/> bad rows.</exception>
    public static LeaseFileLoadStats Load(
        string path, ILeaseReplayTarget leases, uint maxRowErrors, ILogger logger, LeaseSanityChecker? checker = null, bool stopAtBadRow = false)
    {
        if (!File.Exists(path))
        {
            return new LeaseFileLoadStats(path, 0, 0, 0, 0, 0);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var lines = new LeaseFileLineReader(stream);
        var lineNumber = 0;
        var columns = 0;
        int rows = 0, stored = 0, deleted = 0, errors = 0;
        // The first non-empty line is the header (Kea skips blank lines too).
        while (columns == 0 && lines.TryRead(out var header))
        {
            lineNumber++;
            if (!header.IsEmpty)
            {
                columns = LeaseCsvSchema.ValidateHeader(Encoding.UTF8.GetString(header), path);
            }
        }

        foreach (var (line, parsed, error, warning) in columns == 0 ? [] : LeaseRowBatches.Parse(lines, columns, lineNumber))
        {
            rows++;
            var lease = parsed;
            if (lease is null)
            {
                errors++;
                if (stopAtBadRow)
                {
                    throw new LeaseFileException($"Lease file '{path}' has an invalid row at line {line}: {error}");
                }

                logger.LogWarning("Skipping invalid row at {File}:{Line}: {Reason}", path, line, error);
                if (maxRowErrors > 0 && errors > maxRowErrors)
                {
                    throw new LeaseFileException(
                        $"Lease file '{path}' has more than max-row-errors ({maxRowErrors}) invalid rows; last at line {line}: {error}");
                }

                continue;
            }

            if (warning is not null)
            {
                logger.LogWarning("Lease file {File}:{Line}: {Warning}", path, line, warning);
            }

            if (checker is not null && (lease = checker.Check(lease!)) is null)
            {
                continue;
            }

            if (lease!.ValidLifetime == 0)
            {
                // A deletion record; for an address we have not seen it is simply ignored.
                if (leases.Delete(lease.Address))
                {
                    deleted++;
                }
            }
            else
            {
                leases.Put(lease);
                stored++;
            }
        }

        return new LeaseFileLoadStats(path, rows, stored, deleted, errors, columns);
    }

    /// <summary>
    /// Loads a lease file set as the server does at start: <c>.completed</c> if present (an interrupted cleanup's
    /// finished output, which already holds <c>.2</c> and <c>.1</c>), else <c>.2</c> then <c>.1</c>; then the
    /// current file. Returns each file's stats in that order, the current file's last.
    /// </summary>
    public static IReadOnlyList<LeaseFileLoadStats> LoadSet(
        LeaseFileSet files, Dictionary<Ipv6Address, Lease6> leases, uint maxRowErrors, ILogger logger, LeaseSanityChecker? checker = null, bool stopAtBadRow = false) =>
        LoadSet(files, new LeaseDictionaryReplay(leases), maxRowErrors, logger, checker, stopAtBadRow);

    /// <inheritdoc cref="LoadSet(LeaseFileSet, Dictionary{Ipv6Address, Lease6}, uint, ILogger, LeaseSanityChecker?, bool)"/>
    public static IReadOnlyList<LeaseFileLoadStats> LoadSet(
        LeaseFileSet files, ILeaseReplayTarget leases, uint maxRowErrors, ILogger logger, LeaseSanityChecker? checker = null, bool stopAtBadRow = false)
    {
        ArgumentNullException.ThrowIfNull(files);
        var stats = new List<LeaseFileLoadStats>();
        if (File.Exists(files.Finished))
        {
            stats.Add(Load(files.Finished, leases, maxRowErrors, logger, checker, stopAtBadRow));
        }
        else
        {
            stats.Add(Load(files.Previous, leases, maxRowErrors, logger, checker, stopAtBadRow));
            stats.Add(Load(files.Input, leases, maxRowErrors, logger, checker, stopAtBadRow));
        }

        stats.Add(Load(files.Current, leases, maxRowErrors, logger, checker, stopAtBadRow));
        return stats;
    }
}
