using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// An import into a database failed after some of its batches were committed: the leases in address order up to
/// <see cref="LastCopied"/> are in the target, the rest are not. Running the import again with replacing asked for
/// finishes it: the leases already copied are written again with the same values, which leaves Kea's counts as
/// they are.
/// </summary>
internal sealed class LeaseImportInterruptedException(int copied, int total, Ipv6Address lastCopied, Exception inner)
    : Exception(
        $"stopped after {copied} of the {total} leases were committed (every lease up to {lastCopied} in address order; "
        + $"the rest were not written): {inner.Message}; run the same import again with --overwrite to finish it",
        inner)
{
    public int Copied { get; } = copied;

    public int Total { get; } = total;

    public Ipv6Address LastCopied { get; } = lastCopied;
}
