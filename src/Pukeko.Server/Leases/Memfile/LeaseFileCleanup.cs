using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// The file work of kea-lfc, done in-process: merge <c>.2</c> and <c>.1</c> into one row per live lease and
/// make that the new <c>.2</c>. Each step leaves a file set that startup loading recovers from:
/// until <c>.completed</c> exists the inputs are intact (a half-written <c>.output</c> is never read); once it
/// exists it supersedes <c>.2</c>/<c>.1</c>, so deleting them and renaming it can be resumed at any point.
/// The caller holds the <c>.pid</c> lock and has already rotated the live file to <c>.1</c>.
/// </summary>
internal static class LeaseFileCleanup
{
    public static LeaseFileCleanupResult Run(LeaseFileSet files, ILogger logger, CancellationToken cancellationToken)
    {
        var result = new LeaseFileCleanupResult(false, 0, 0, 0);
        if (!File.Exists(files.Finished))
        {
            result = Merge(files, logger, cancellationToken);
        }

        File.Delete(files.Previous);
        File.Delete(files.Input);
        File.Move(files.Finished, files.Previous, overwrite: true);
        return result;
    }

    private static LeaseFileCleanupResult Merge(LeaseFileSet files, ILogger logger, CancellationToken cancellationToken)
    {
        var leases = new Dictionary<Ipv6Address, Lease6>();

        // kea-lfc tolerates any number of bad rows: they are dropped from the output.
        var previous = LeaseFileLoader.Load(files.Previous, leases, maxRowErrors: 0, logger);
        var input = LeaseFileLoader.Load(files.Input, leases, maxRowErrors: 0, logger);
        cancellationToken.ThrowIfCancellationRequested();

        LeaseFileWriter.WriteFile(files.Output, leases.Values);
        cancellationToken.ThrowIfCancellationRequested();
        File.Move(files.Output, files.Finished, overwrite: true);
        return new LeaseFileCleanupResult(true, previous.Rows + input.Rows, previous.Errors + input.Errors, leases.Count);
    }
}
