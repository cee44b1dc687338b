using Microsoft.Extensions.Logging;
using Pukeko.Server.BuiltIn.LeaseQuery;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Hosting;

/// <summary>The server's side of the lease query library: its services follow the configuration's <c>libdhcp_lease_query.so</c> entry.</summary>
internal sealed partial class Dhcp6Server
{
    private BulkLeaseQueryService? _bulkLeaseQuery;

    /// <summary>The bulk leasequery service running now (null when not enabled); for tests and diagnostics.</summary>
    internal BulkLeaseQueryService? BulkLeaseQuery => Volatile.Read(ref _bulkLeaseQuery);

    /// <summary>
    /// Answers LEASEQUERY with the library's parameters of <paramref name="config"/>, and runs its bulk service when
    /// enabled; like Kea, which reloads its libraries with every configuration, the TCP listener starts afresh.
    /// </summary>
    private async Task ApplyLeaseQueryAsync(DhcpConfig config)
    {
        await StopLeaseQueryAsync().ConfigureAwait(false);
        if (_processor is not { } processor)
        {
            return;
        }

        if (config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<LeaseQueryOptions>().FirstOrDefault() is not { } options)
        {
            processor.LeaseQuery = null;
            return;
        }

        var log = _loggers.CreateLogger(LeaseQueryResponder.LoggerName);
        var engine = new LeaseQueryEngine(processor.Allocation.Store, _time, log, options.PrefixLengths);
        processor.LeaseQuery = new LeaseQueryResponder(options, engine, log);
        log.LogInformation(new EventId(0, "LEASE_QUERY_LOAD_OK"), "Lease Query hooks library loaded successfully.");
        if (options.Advanced is { BulkQueryEnabled: true } bulk)
        {
            var service = new BulkLeaseQueryService(bulk, options.Requesters, engine, () => processor.Runtime, processor.Statistics, log);
            try
            {
                service.Start();
                Volatile.Write(ref _bulkLeaseQuery, service);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
            {
                // Kea logs this and goes on serving UDP leasequery.
                log.LogError(new EventId(0, "BULK_LEASE_QUERY_LISTENER_START_FAILED"), "Bulk lease query listener thread pool could not be started, error {Reason}", ex.Message);
                await service.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task StopLeaseQueryAsync()
    {
        if (Interlocked.Exchange(ref _bulkLeaseQuery, null) is { } service)
        {
            await service.DisposeAsync().ConfigureAwait(false);
        }
    }
}
