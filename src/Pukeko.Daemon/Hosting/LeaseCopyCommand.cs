using Microsoft.Extensions.Logging;
using Pukeko.Daemon.CommandLine;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// <c>--import-leases</c> and <c>--export-leases</c>: copies leases between a memfile lease file and the PostgreSQL
/// lease database that the configuration's <c>lease-database</c> names, so the database (and its password, or
/// password file, and TLS keys) is given exactly as the server will use it, and no password is on a command line.
/// The server must be stopped: the copy reads one side and writes the other as they are at that moment. Exit value
/// 0 when the copy is done; 1 after a message on <c>stderr</c> when nothing was written.
/// </summary>
internal static class LeaseCopyCommand
{
    /// <summary>Addresses named when the import is refused because they are already in the database.</summary>
    private const int ExistingShown = 10;

    public static async Task<int> RunAsync(
        CommandLineOptions options,
        ConfigEnvironment environment,
        ILoggerFactory loggers,
        Func<SqlDatabaseAccess, ILoggerFactory, CancellationToken, Task<ILeaseStore>> openStore,
        TextWriter output,
        TextWriter errors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openStore);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var option = options.Mode == RunMode.ImportLeases ? KeaCommandLine.ImportLeasesOption : KeaCommandLine.ExportLeasesOption;
        var result = ConfigLoader.LoadFile(options.ConfigFile!, environment);
        if (!result.Success)
        {
            errors.WriteLine($"Configuration '{options.ConfigFile}' failed: {string.Join("; ", result.Errors)}");
            return 1;
        }

        var database = result.Config!.LeaseDatabase;
        if (database.Sql is not { } access)
        {
            errors.WriteLine(
                $"Dhcp6/lease-database: {option} copies to or from a PostgreSQL lease database; this configuration's is {database.Type} "
                + $"('{database.FilePath}'). Give the configuration the servers will use with PostgreSQL.");
            return 1;
        }

        try
        {
            using var store = await openStore(access, loggers, cancellationToken).ConfigureAwait(false);
            return options.Mode == RunMode.ImportLeases
                ? await ImportAsync(store, access, options, loggers, output, errors, cancellationToken).ConfigureAwait(false)
                : await ExportAsync(store, access, options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseImportInterruptedException e)
        {
            errors.WriteLine($"{option} failed: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            errors.WriteLine($"{option} failed, nothing written: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> ImportAsync(
        ILeaseStore store, SqlDatabaseAccess access, CommandLineOptions options, ILoggerFactory loggers, TextWriter output, TextWriter errors,
        CancellationToken cancellationToken)
    {
        var copied = await LeaseFileImport.RunAsync(store, options.LeaseFile!, options.Overwrite, loggers.CreateLogger("kea-dhcp6.dhcpsrv"), cancellationToken)
            .ConfigureAwait(false);
        foreach (var file in copied.Files.Where(f => f.HeaderColumns > 0))
        {
            output.WriteLine($"read {file.Path}: {file.Rows} rows, {file.Stored} stored, {file.Deleted} deleted");
        }

        if (!copied.Written)
        {
            var shown = string.Join(", ", copied.Existing.Take(ExistingShown));
            var more = copied.Existing.Count > ExistingShown ? ", ..." : string.Empty;
            errors.WriteLine(
                $"nothing written: {copied.Existing.Count} of the {copied.Leases} leases are already in database '{access.Name}' ({shown}{more}); "
                + $"give {KeaCommandLine.OverwriteOption} to replace them with the file's");
            return 1;
        }

        output.WriteLine(
            $"copied {copied.Leases} leases into PostgreSQL database '{access.Name}' ({copied.Inserted} new, {copied.Replaced} replaced)");
        return 0;
    }

    private static async Task<int> ExportAsync(
        ILeaseStore store, SqlDatabaseAccess access, CommandLineOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var count = await LeaseFileExport.RunAsync(store, options.LeaseFile!, options.Overwrite, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"wrote {count} leases of PostgreSQL database '{access.Name}' to {Path.GetFullPath(options.LeaseFile!)}");
        return 0;
    }
}
