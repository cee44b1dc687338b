namespace Pukeko.Server.Leases.Memfile;

/// <summary>What loading one lease file did.</summary>
/// <param name="Path">The file.</param>
/// <param name="Rows">Non-blank data rows read.</param>
/// <param name="Stored">Rows that added or replaced a lease.</param>
/// <param name="Deleted">Rows with valid lifetime 0 that removed a lease.</param>
/// <param name="Errors">Rows skipped as invalid.</param>
/// <param name="HeaderColumns">Columns in the file's header (0 for an empty file).</param>
internal sealed record LeaseFileLoadStats(string Path, int Rows, int Stored, int Deleted, int Errors, int HeaderColumns)
{
    /// <summary>The file was written with another schema version and should be rewritten by LFC.</summary>
    public bool NeedsConversion => HeaderColumns != 0 && HeaderColumns != LeaseCsvSchema.ColumnCount;
}
