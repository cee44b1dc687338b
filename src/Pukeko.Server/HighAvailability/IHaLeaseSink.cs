using System.Text.Json.Nodes;

namespace Pukeko.Server.HighAvailability;

/// <summary>Where leases fetched from a peer during synchronisation go: the local lease store.</summary>
internal interface IHaLeaseSink
{
    /// <summary>
    /// Writes one lease as the peer's <c>lease6-get-page</c> listed it (with <c>cltt</c>): added when absent,
    /// replacing the local one when that is older (smaller <c>cltt</c>), else left alone (Kea's rule).
    /// </summary>
    /// <exception cref="FormatException">The lease cannot be read or stored (Kea skips such a lease with a warning).</exception>
    ValueTask<HaSyncedLease> ApplyAsync(JsonObject lease, CancellationToken cancellationToken);
}

/// <summary>What synchronisation did with one of the peer's leases.</summary>
internal enum HaSyncedLease
{
    Added,
    Updated,
    Skipped,
}
