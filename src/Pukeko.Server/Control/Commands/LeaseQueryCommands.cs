using System.Globalization;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// The command Kea's lease_query library adds (Kea 2.5 on): <c>extended-info6-upgrade</c>, which applies
/// <c>sanity-checks.extended-info-checks</c> to the relay information stored in every lease. It exists only while
/// <c>libdhcp_lease_query.so</c> is in <c>hooks-libraries</c>, as in Kea.
/// </summary>
/// <remarks>
/// Kea's memfile backend checks leases as it loads them and answers "Upgraded 0 leases"; so does Pukeko's. A
/// database store (PostgreSQL) is read page by page and each lease whose user context the checks change is written
/// back. When the store keeps Kea's extended-info tables (<see cref="IExtendedInfoTables"/>, Kea 3.x's schema with
/// <c>extended-info-tables-enabled</c>), they are emptied first and rebuilt from every lease, and a lease counts as
/// upgraded when it was changed or gave rows, as Kea counts.
/// </remarks>
internal static class LeaseQueryCommands
{
    public const string Library = "libdhcp_lease_query.so";

    /// <summary>Leases read per page (Kea's lease_query pages by 100 too).</summary>
    internal const int PageSize = 100;

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        dispatcher.Register("extended-info6-upgrade", (_, cancellationToken) => UpgradeAsync(server, cancellationToken), () => server.HasKeaLibrary(Library));
    }

    private static async ValueTask<System.Text.Json.Nodes.JsonObject> UpgradeAsync(Dhcp6Server server, CancellationToken cancellationToken)
    {
        var engine = server.Allocation ?? throw new CommandArgumentException("no lease database is open");
        var upgraded = engine.Store is MemfileLeaseStore ? 0 : await UpgradeStoredLeasesAsync(server, engine, cancellationToken).ConfigureAwait(false);
        return ControlAnswer.Success(string.Create(CultureInfo.InvariantCulture, $"Upgraded {upgraded} lease{(upgraded == 1 ? "" : "s")}"));
    }

    private static async Task<int> UpgradeStoredLeasesAsync(Dhcp6Server server, Allocation.AllocationEngine engine, CancellationToken cancellationToken)
    {
        var mode = server.Config?.ExtendedInfoChecks ?? ExtendedInfoSanityMode.Fix;
        var log = server.LeaseDatabaseLog;
        var tables = engine.Store is IExtendedInfoTables { ExtendedInfoTablesEnabled: true, HasExtendedInfoTables: true } t ? t : null;
        if (tables is not null)
        {
            await tables.WipeExtendedInfoAsync(cancellationToken).ConfigureAwait(false);
        }

        Ipv6Address? after = null;
        var pages = 0;
        var upgraded = 0;
        while (true)
        {
            var page = await engine.Store.GetPageAsync(after, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            pages++;
            after = page[^1].Address;
            foreach (var old in page)
            {
                var context = old.UserContext;
                if (!LeaseExtendedInfoSanity.Apply(ref context, mode, old.Address, log))
                {
                    if (tables is not null && await tables.AddExtendedInfoAsync(old, cancellationToken).ConfigureAwait(false))
                    {
                        upgraded++;
                    }

                    continue;
                }

                var repaired = old.Clone();
                repaired.UserContext = context;
                using (await engine.Claims.ClaimAsync(old.Duid).ConfigureAwait(false))
                {
                    var work = engine.Writer.Begin();
                    await using (work.ConfigureAwait(false))
                    {
                        // A lease changed or deleted meanwhile (another server on the database) is left as it is now,
                        // as Kea leaves it.
                        if (await work.UpdateAsync(old, repaired, LeaseChangeReason.Command, cancellationToken).ConfigureAwait(false) == LeaseWriteResult.Written)
                        {
                            await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                            upgraded++;
                        }
                    }
                }
            }
        }

        log.LogInformation(new EventId(0, "PGSQL_LB_UPGRADE_EXTENDED_INFO6"), "upgraded extended info of {Upgraded} leases in {Pages} pages", upgraded, pages);
        return upgraded;
    }
}
