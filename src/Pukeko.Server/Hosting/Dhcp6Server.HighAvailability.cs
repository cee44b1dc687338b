using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Hosting;

/// <summary>The server's side of high availability: the HA service follows the configuration's <c>libdhcp_ha.so</c> entry.</summary>
internal sealed partial class Dhcp6Server
{
    private HaRuntime? _ha;
    private HttpHaPeerChannel? _haChannel;

    /// <summary>HA as configured now; null when <c>libdhcp_ha.so</c> is not configured.</summary>
    public HaRuntime? HighAvailability => Volatile.Read(ref _ha);

    /// <summary>
    /// Starts the HA service of <paramref name="config"/> in place of the running one: like Kea, which reloads its
    /// hook libraries with every configuration, the relationship starts over in <c>waiting</c>.
    /// </summary>
    private async Task ApplyHighAvailabilityAsync(DhcpConfig config)
    {
        await StopHighAvailabilityAsync().ConfigureAwait(false);
        if (config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<HaConfig>().FirstOrDefault() is not { } haConfig || _processor is not { } processor)
        {
            return;
        }

        if (haConfig.Relationships.Any(r => r.MultiThreading.Enabled) && !config.MultiThreading.Enabled)
        {
            // Kea 2.2: HA's own threads (and so its dedicated listener) need the server's; peers use the control channel.
            _loggers.CreateLogger(HaService.LoggerName).LogInformation(
                new EventId(0, "HA_CONFIG_DHCP_MT_DISABLED"),
                "HA multi-threading is off because Dhcp6 multi-threading is off: no dedicated HA listener runs, partners reach this server at its control channel");
        }

        // One service per relationship (hub and spoke: several), all sharing the lease store and the HTTP client.
        _haChannel ??= new HttpHaPeerChannel();
        var leases = new HaLeaseStoreSink(processor.Allocation, () => Config, _time);
        var log = _loggers.CreateLogger(HaService.LoggerName);
        var subnets = HaSubnetMap.Of(config);
        var services = haConfig.Relationships
            .Select((relationship, index) => new HaService(relationship, _haChannel, _network, _time, log, leases, index, subnets.SubnetsOf(relationship)))
            .ToList();
        // Kea's messages for loading and configuring libdhcp_ha.so, which operators' log watchers may look for.
        log.LogInformation(new EventId(0, "HA_INIT_OK"), "loading High Availability hooks library successful");
        log.LogInformation(new EventId(0, "HA_CONFIGURATION_SUCCESSFUL"), "HA hook library has been successfully configured");
        var running = new HaServices(services, subnets, processor.Statistics, log);
        processor.QueryFilter = running;
        processor.CommittedLeasesGate = running;
        running.Start();
        Volatile.Write(ref _ha, new HaRuntime(haConfig, running));
    }

    private async Task StopHighAvailabilityAsync()
    {
        if (Interlocked.Exchange(ref _ha, null)?.Services is not { } service)
        {
            return;
        }

        if (_processor is { } processor && ReferenceEquals(processor.QueryFilter, service))
        {
            processor.QueryFilter = null;
        }

        if (_processor is { } gated && ReferenceEquals(gated.CommittedLeasesGate, service))
        {
            gated.CommittedLeasesGate = null;
        }

        await service.DisposeAsync().ConfigureAwait(false);
        _loggers.CreateLogger(HaService.LoggerName).LogInformation(new EventId(0, "HA_DEINIT_OK"), "unloading High Availability hooks library successful");
    }
}
