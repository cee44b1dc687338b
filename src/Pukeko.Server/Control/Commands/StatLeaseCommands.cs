using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's stat_cmds library, built in: <c>stat-lease6-get</c> answers a result set with one row per configured
/// subnet (all, one, or a range of ids): the subnet's address and prefix totals and cumulative counts from the
/// statistics, and its assigned and declined leases from the lease store (on PostgreSQL, Kea's <c>lease6_stat</c>
/// table). A file in Kea 3.x's style gets Kea 2.4+'s columns (<c>declined-addresses</c>, with declined leases
/// counted in <c>assigned-nas</c>), an older one Kea 2.2's.
/// </summary>
internal static class StatLeaseCommands
{
    private static readonly string[] Kea22Columns =
        ["subnet-id", "total-nas", "cumulative-assigned-nas", "assigned-nas", "declined-nas", "total-pds", "cumulative-assigned-pds", "assigned-pds"];

    private static readonly string[] Kea3Columns =
        ["subnet-id", "total-nas", "cumulative-assigned-nas", "assigned-nas", "declined-addresses", "total-pds", "cumulative-assigned-pds", "assigned-pds"];

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        dispatcher.Register("stat-lease6-get", (command, cancellationToken) => GetAsync(server, command, cancellationToken));

        // Kea's library registers both in either server; a DHCPv6 server has no IPv4 subnets to report.
        dispatcher.Register("stat-lease4-get", (command, _) => ValueTask.FromResult(Lease4(server, command)));
    }

    private static async ValueTask<JsonObject> GetAsync(Dhcp6Server server, ControlCommand command, CancellationToken cancellationToken)
    {
        StatLeaseSelection selection;
        try
        {
            selection = StatLeaseSelection.Parse(command);
        }
        catch (CommandArgumentException ex)
        {
            server.CommandLog.LogError(new EventId(0, "STAT_CMDS_LEASE6_GET_INVALID"), "stat-lease6-get command is malformed or invalid, reason: {Reason}", ex.Message);
            throw;
        }

        var config = server.Config;
        var store = server.Leases ?? throw new CommandArgumentException("no lease database is open");
        var subnets = (config?.Subnets ?? [])
            .Where(s => s.Id >= selection.First && s.Id <= selection.Last)
            .OrderBy(s => s.Id)
            .ToList();
        if (subnets.Count == 0)
        {
            var why = selection.NoSubnetsReason;
            server.CommandLog.LogInformation(new EventId(0, "STAT_CMDS_LEASE6_GET_NO_SUBNETS"), "stat-lease6-get, parameters: {Parameters}, {Reason}", selection.Text, why);
            return ControlAnswer.Empty($"stat-lease6-get{selection.Text}: no matching data, {why}", new JsonObject());
        }

        IReadOnlyList<LeaseCount> counts;
        try
        {
            counts = await store.GetLeaseStatisticsAsync(subnets[0].Id, subnets[^1].Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            server.CommandLog.LogError(new EventId(0, "STAT_CMDS_LEASE6_GET_FAILED"), "stat-lease6-get command failed: parameters: {Parameters}, reason: {Reason}", selection.Text, ex.Message);
            throw new CommandArgumentException(ex.Message);
        }

        var kea3 = config?.WrittenForKea3 ?? false;
        var rows = new JsonArray();
        var countsBySubnet = counts.ToLookup(c => c.SubnetId);
        foreach (var subnet in subnets)
        {
            if (SubnetRow(server.Statistics, subnet.Id, countsBySubnet[subnet.Id], kea3) is { } row)
            {
                rows.Add(row);
            }
        }

        var resultSet = new JsonObject
        {
            ["columns"] = new JsonArray([.. (kea3 ? Kea3Columns : Kea22Columns).Select(c => (JsonNode)c)]),
            ["rows"] = rows,
            ["timestamp"] = Timestamp(server.Time.GetUtcNow().UtcDateTime),
        };
        server.CommandLog.LogInformation(new EventId(0, "STAT_CMDS_LEASE6_GET"), "stat-lease6-get command successful, parameters: {Parameters} rows found: {Rows}", selection.Text, rows.Count);
        return ControlAnswer.Success(
            string.Create(CultureInfo.InvariantCulture, $"stat-lease6-get{selection.Text}: {rows.Count} rows found"),
            new JsonObject { ["result-set"] = resultSet });
    }

    /// <summary>
    /// One subnet's row. A subnet the store has no counts for gets zeros; one whose counts are all in states that are
    /// neither default nor declined gets no row (only a database's counter table can hold such), as in Kea.
    /// </summary>
    private static JsonArray? SubnetRow(StatisticsRegistry statistics, uint subnetId, IEnumerable<LeaseCount> counts, bool kea3)
    {
        long assigned = 0, declined = 0, assignedPds = 0;
        var any = false;
        var reported = false;
        foreach (var count in counts)
        {
            any = true;
            if (count.State == LeaseState.Default)
            {
                reported = true;
                if (count.Type == LeaseType.NA)
                {
                    assigned = count.Count;
                }
                else
                {
                    assignedPds = count.Count;
                }
            }
            else if (count.State == LeaseState.Declined)
            {
                reported = true;
                declined = count.Count;
            }
        }

        if (any && !reported)
        {
            return null;
        }

        return
        [
            (long)subnetId,
            Statistic(statistics, subnetId, LeaseStatistics.TotalNas),
            Statistic(statistics, subnetId, LeaseStatistics.CumulativeAssignedNas),
            kea3 ? assigned + declined : assigned,
            declined,
            Statistic(statistics, subnetId, LeaseStatistics.TotalPds),
            Statistic(statistics, subnetId, LeaseStatistics.CumulativeAssignedPds),
            assignedPds,
        ];
    }

    private static long Statistic(StatisticsRegistry statistics, uint subnetId, string name) =>
        statistics.Find(string.Create(CultureInfo.InvariantCulture, $"subnet[{subnetId}].{name}"))?.Value ?? 0;

    /// <summary>Kea stamps the result set in UTC (unlike statistic samples, which are local), to microseconds.</summary>
    private static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static JsonObject Lease4(Dhcp6Server server, ControlCommand command)
    {
        StatLeaseSelection selection;
        try
        {
            selection = StatLeaseSelection.Parse(command);
        }
        catch (CommandArgumentException ex)
        {
            server.CommandLog.LogError(new EventId(0, "STAT_CMDS_LEASE4_GET_INVALID"), "stat-lease4-get command is malformed or invalid, reason: {Reason}", ex.Message);
            throw;
        }

        var why = selection.NoSubnetsReason;
        return ControlAnswer.Empty($"stat-lease4-get{selection.Text}: no matching data, {why}", new JsonObject());
    }
}
