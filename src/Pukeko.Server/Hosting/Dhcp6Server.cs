using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Statistics;
using Pukeko.Server.Transport;

namespace Pukeko.Server.Hosting;

/// <summary>
/// Owns one running server: configuration, lease store, pipeline, sockets and timers.
/// <see cref="ReloadAsync"/> applies a new configuration only if it is wholly valid and every
/// piece of it could be built; otherwise the running one stays (YARP's rule, see
/// <c>Dhcp6Server.Reconfiguration.cs</c>).
/// </summary>
internal sealed partial class Dhcp6Server : IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConfigEnvironment _environment;
    private readonly SemaphoreSlim _reconfigure = new(1, 1);
    private ILeaseStore? _store;
    private DatabaseRecovery? _databaseRecovery;

    // What the open store was opened with: memfile options, or the SQL database's access (the other one null).
    private MemfileOptions? _storeOptions;
    private SqlDatabaseAccess? _storeSql;
    private UdpTransport? _transport;

    /// <summary>The transport serving now (null before start and after stop); for tests and diagnostics.</summary>
    internal UdpTransport? Transport => _transport;
    private Dhcp6Processor? _processor;
    private LeaseReclaimer? _reclaimer;
    private Ddns.NcrSender? _ncrSender;
    private CancellationTokenSource? _timers;
    private Task? _timerTask;
    private string? _transportKey;
    private int _disposed;

    public Dhcp6Server(ServerOptions options, ConfigEnvironment environment, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _environment = environment;
        _loggers = loggers;
        _time = time;
        _log = loggers.CreateLogger("kea-dhcp6.dhcp6");
        LeaseDatabaseLog = loggers.CreateLogger("kea-dhcp6.dhcpsrv");
        Statistics = new StatisticsRegistry();
        PacketStatistics = new PacketStatistics(Statistics);
        LeaseStatistics = new LeaseStatistics(Statistics);
        Hooks = new HooksManager(loggers, Statistics)
        {
            ForensicBackends = new BuiltIn.ForensicLog.ForensicLogBackends { OpenPostgreSql = options.OpenPostgreSqlForensicLog },
        };
        TransportFactory = CreateTransport;
        InitializeControl();

        // Library commands, command_processed and libreload reach the control channel through this seam.
        CommandExtensions = Hooks;
    }

    /// <summary>The loaded hook libraries (reloaded on every successful reconfiguration).</summary>
    public HooksManager Hooks { get; }

    public StatisticsRegistry Statistics { get; }

    public PacketStatistics PacketStatistics { get; }

    public LeaseStatistics LeaseStatistics { get; }

    public DhcpConfig? Config => _processor?.Runtime.Config;

    public ILeaseStore? Leases => _store;

    /// <summary>Kea's <c>dhcpsrv</c> logger: the lease database's lines, also when a lease command has them checked.</summary>
    internal ILogger LeaseDatabaseLog { get; }

    /// <summary>The engine that owns lease writing (the change feed) and the per-client claims; null before the first start.</summary>
    internal AllocationEngine? Allocation => _processor?.Allocation;

    /// <summary>Name-change requests for the running configuration (null before the first one is applied).</summary>
    internal Ddns.DdnsUpdater? Ddns => _processor?.Ddns;

    /// <summary>Raised after each successful (re)configuration, so logging can follow the new <c>loggers</c>.</summary>
    public event Action<DhcpConfig>? Configured;

    /// <summary>Reads and validates the config file; throws <see cref="ConfigurationRejectedException"/> when it is bad.</summary>
    public DhcpConfig LoadConfig()
    {
        var result = ConfigLoader.LoadFile(_options.ConfigFile, _environment);
        foreach (var warning in result.Warnings)
        {
            _log.LogWarning(new EventId(0, warning.LogId), "{Path}: {Message}", warning.Path, warning.Message);
        }

        if (!result.Success)
        {
            throw new ConfigurationRejectedException(result.Errors) { Loggers = result.Loggers };
        }

        LogConfigStart(result.Config!);
        return result.Config!;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var config = LoadConfig();
        Configured?.Invoke(config);
        await ApplyAsync(config, cancellationToken).ConfigureAwait(false);
        await ApplyControlChannelsAsync(config, cancellationToken).ConfigureAwait(false);
        WarmUp(config);
    }

    /// <summary>
    /// Compiles the packet path before the server announces itself (DHCP6_STARTED), so the first
    /// clients are answered at warm speed. A failure here costs only the warm-up, never the start.
    /// </summary>
    private void WarmUp(DhcpConfig config)
    {
        if (_processor is null)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var answered = PipelineWarmup.Run(config, _processor.Runtime.ServerDuid, _time);
            _log.LogDebug(new EventId(0, "DHCP6_WARMUP_COMPLETE"), "packet path warmed up: {Answered} exchanges in {Elapsed} ms", answered, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogWarning(new EventId(0, "DHCP6_WARMUP_FAIL"), "packet path warm-up failed (the server runs, its first packets may be slower): {Reason}", ex.Message);
        }
    }

    /// <summary>SIGHUP / config-reload: a bad file is logged and the running configuration kept.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        DhcpConfig config;
        try
        {
            config = LoadConfig();
        }
        catch (Exception ex) when (ex is ConfigurationRejectedException or IOException or UnauthorizedAccessException)
        {
            _log.LogError(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_FAIL"), "dynamic server reconfiguration failed with file: {File}: {Reason}", _options.ConfigFile, ex.Message);
            return false;
        }

        await _configChange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Configured?.Invoke(config);
            await ApplyAsync(config, cancellationToken).ConfigureAwait(false);
            await ApplyControlChannelsAsync(config, cancellationToken).ConfigureAwait(false);
            _log.LogInformation(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS"), "dynamic server reconfiguration succeeded with file: {File}", _options.ConfigFile);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_FAIL"), "dynamic server reconfiguration failed with file: {File}: {Reason}", _options.ConfigFile, ex.Message);
            return false;
        }
        finally
        {
            _configChange.Release();
        }
    }

    private async Task ApplyAsync(DhcpConfig config, CancellationToken cancellationToken)
    {
        await _reconfigure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The reclaim and flush timers use the running store and hooks: stopped for the swap,
            // restarted with whichever configuration is in force afterwards.
            await StopTimersAsync().ConfigureAwait(false);
            try
            {
                await SwapRuntimeAsync(config).ConfigureAwait(false);
            }
            finally
            {
                if (Config is { } running)
                {
                    StartTimers(running);
                }
            }
        }
        finally
        {
            _reconfigure.Release();
        }
    }

    /// <summary>Reclaim (one-shot, re-armed after each run, as Kea) and flush timers.</summary>
    private void StartTimers(DhcpConfig config)
    {
        _timers = new CancellationTokenSource();
        var token = _timers.Token;
        var expiration = config.ExpiredLeasesProcessing;
        _timerTask = Task.Run(async () =>
        {
            var nextReclaim = expiration.ReclaimTimerWaitTime > 0 ? _time.GetUtcNow().AddSeconds(expiration.ReclaimTimerWaitTime) : DateTimeOffset.MaxValue;
            var nextFlush = expiration.FlushReclaimedTimerWaitTime > 0 ? _time.GetUtcNow().AddSeconds(expiration.FlushReclaimedTimerWaitTime) : DateTimeOffset.MaxValue;
            while (!token.IsCancellationRequested)
            {
                var now = _time.GetUtcNow();
                var next = nextReclaim < nextFlush ? nextReclaim : nextFlush;
                if (next == DateTimeOffset.MaxValue)
                {
                    return;
                }

                var wait = next - now;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, _time, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                try
                {
                    now = _time.GetUtcNow();
                    if (now >= nextReclaim)
                    {
                        await ReclaimNowAsync(unlimited: false, cancellationToken: token).ConfigureAwait(false);
                        nextReclaim = _time.GetUtcNow().AddSeconds(expiration.ReclaimTimerWaitTime);
                    }

                    if (now >= nextFlush)
                    {
                        if (_reclaimer is { } reclaimer)
                        {
                            await reclaimer.FlushAsync(expiration, _time.GetUtcNow().ToUnixTimeSeconds(), token).ConfigureAwait(false);
                        }

                        nextFlush = _time.GetUtcNow().AddSeconds(expiration.FlushReclaimedTimerWaitTime);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _log.LogError(new EventId(0, "ALLOC_ENGINE_V6_LEASES_RECLAMATION_FAILED"), ex, "reclamation of expired leases failed: {Reason}", ex.Message);
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>Runs one reclamation pass now (timer, or the future <c>leases-reclaim</c> command).</summary>
    public ValueTask<int> ReclaimNowAsync(bool unlimited, bool? remove = null, CancellationToken cancellationToken = default)
    {
        var processor = _processor;
        if (_reclaimer is not { } reclaimer || processor is null || !processor.ServiceEnabled)
        {
            return ValueTask.FromResult(0);
        }

        var runtime = processor.Runtime;
        return reclaimer.ReclaimAsync(runtime.Config.ExpiredLeasesProcessing, runtime.FindSubnet, _time.GetUtcNow().ToUnixTimeSeconds(), unlimited, remove, cancellationToken);
    }

    private async Task StopTimersAsync()
    {
        if (_timers is null)
        {
            return;
        }

        await _timers.CancelAsync().ConfigureAwait(false);
        if (_timerTask is not null)
        {
            await _timerTask.ConfigureAwait(false);
        }

        _timers.Dispose();
        _timers = null;
        _timerTask = null;
    }

    /// <summary>Stops serving; safe to call more than once (the host and the container both do).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The control channels (Kestrel's graceful stop is the slowest part) stop while the DHCP side
        // closes: a prompt exit lets a supervisor that restarts at once find the server gone.
        var control = StopControlAsync();

        // The DHCP sockets first: under load the workers would otherwise keep taking packets (and writing
        // leases) while the rest stops, and the exit waits for them.
        if (_transport is not null)
        {
            _log.LogDebug(new EventId(0, "DHCP6_CLOSE_SOCKETS"), "closing all sockets");
            await _transport.DisposeAsync().ConfigureAwait(false);
            _transport = null;
        }

        _log.LogDebug(new EventId(0, "DHCPSRV_TIMERMGR_UNREGISTER_ALL_TIMERS"), "unregistering all timers");
        await StopTimersAsync().ConfigureAwait(false);
        await StopHighAvailabilityAsync().ConfigureAwait(false);
        await StopLeaseQueryAsync().ConfigureAwait(false);
        _haChannel?.Dispose();
        Hooks.ClearParkingLots();

        if (_ncrSender is not null)
        {
            await _ncrSender.DisposeAsync().ConfigureAwait(false);
            _ncrSender = null;
        }

        Hooks.Dispose();
        _databaseRecovery?.Dispose();
        _databaseRecovery = null;
        if (_store is not null)
        {
            LogStoreClosing(_store);
            _store.Dispose();
            _store = null;
        }

        await CloseHostSourcesAsync(SwapHostSources([], [])).ConfigureAwait(false);
        await control.ConfigureAwait(false);
        _log.LogDebug(new EventId(0, "DHCP6_SHUTDOWN_COMPLETE"), "server shutdown complete: statistics {Received} packets received, {Sent} sent", PacketStatistics.Received.Value, PacketStatistics.Sent.Value);
    }
}
