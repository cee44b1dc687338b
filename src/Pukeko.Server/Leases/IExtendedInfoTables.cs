namespace Pukeko.Server.Leases;

/// <summary>
/// A lease store whose database has Kea's extended-info tables (<c>lease6_relay_id</c>, <c>lease6_remote_id</c> of
/// Kea 2.5 and later), which Kea's bulk leasequery reads. While <see cref="ExtendedInfoTablesEnabled"/>, every write
/// that changes a lease's relay information rewrites its rows there, as Kea's backend does, so a Kea server sharing
/// the database finds Pukeko's leases by relay-id and remote-id.
/// </summary>
internal interface IExtendedInfoTables
{
    /// <summary>The schema has the tables.</summary>
    bool HasExtendedInfoTables { get; }

    /// <summary>
    /// Writes maintain the tables: the lease query library's <c>extended-info-tables-enabled</c> (Kea's switch).
    /// Setting it on a schema without the tables has no effect.
    /// </summary>
    bool ExtendedInfoTablesEnabled { get; set; }

    /// <summary>Empties both tables (<c>extended-info6-upgrade</c> rebuilds them).</summary>
    ValueTask WipeExtendedInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds the lease's relay-id and remote-id rows; false when it has none.</summary>
    ValueTask<bool> AddExtendedInfoAsync(Lease6 lease, CancellationToken cancellationToken = default);
}
