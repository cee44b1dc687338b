using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Identity;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Statistics;
using Pukeko.Server.Transport;

namespace Pukeko.Server.Hosting;

/// <summary>
/// Reconfiguration as a transaction. The new runtime is built beside the running one (lease store,
/// bound socket, hook libraries); only then are the workers paused and drained, the pieces swapped
/// and the workers resumed; the replaced pieces are closed last. If any step before the swap fails,
/// what was built is closed and the running runtime is left exactly as it was.
/// </summary>
/// <remarks>
/// <para>Leases across a change of the lease database: as in Kea, leases are not copied from the old
/// database into the new one. A lease is acknowledged only after the store holding it has written
/// it to its file, and no packet is processed across the swap (the workers are drained first), so
/// every lease acknowledged before the swap is in the old lease file and every lease acknowledged
/// after it is in the new store. When only settings other than the file changed (same file), the
/// new store reads that file while the workers are drained, so it holds every lease acknowledged
/// before the swap; if the file set changes while it is read (a lease command, the old store's
/// lease file cleanup) the read is repeated, and a reconfiguration that cannot drain the workers
/// in time does not reopen the file at all.</para>
/// <para>Not covered: a packet still in the pipeline when the bounded drain gives up finishes with
/// the old runtime (its lease goes to the old store, or fails once that store is closed, and then
/// no reply is sent); a lease command that fetched the old store just before the swap writes to
/// it; packets queued by a replaced socket are dropped (clients retransmit).</para>
/// </remarks>
internal sealed partial class Dhcp6Server
{
    /// <summary>How long a reconfiguration waits for the packets in the pipeline before swapping anyway.</summary>
    internal TimeSpan PacketDrainWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Creates and binds a transport (not started). A seam for tests that need a bind to fail.</summary>
    internal Func<TransportSettings, UdpTransport> TransportFactory { get; set; } = null!;

    private UdpTransport CreateTransport(TransportSettings settings) =>
        new(settings.Interfaces, settings.Port, settings.Workers, settings.QueueSize, _loggers.CreateLogger("kea-dhcp6.packets"), _time, settings.ReceiveInWorkers, settings.ReceiveBufferBytes, settings.Batch);

    private async Task SwapRuntimeAsync(DhcpConfig config)
    {
        ILeaseStore? newStore = null;
        UdpTransport? newTransport = null;
        HookLibrarySwap? hooks = null;
        ILeaseStore? replacedStore = null;
        UdpTransport? replacedTransport = null;
        Ddns.NcrSender? newSender = null;
        Ddns.NcrSender? replacedSender = null;
        IReadOnlyList<Reservations.IHostDataSource>? newHostSources = null;
        IReadOnlyList<Reservations.IHostDataSource>? replacedHostSources = null;
        var senderChanged = (_ncrSender?.Config ?? DhcpDdnsConfig.Default) != config.DhcpDdns;
        try
        {
            // 1. Build beside the running runtime, which keeps serving meanwhile.
            var sql = config.LeaseDatabase.Type == LeaseDatabaseConfig.PostgreSql ? config.LeaseDatabase.Sql : null;
            var storeOptions = sql is null
                ? new MemfileOptions(config.LeaseDatabase.FilePath, config.LeaseDatabase.Persist, config.LeaseDatabase.LfcInterval, config.LeaseDatabase.MaxRowErrors)
                : null;
            var storeChanged = _store is null || _storeOptions != storeOptions || _storeSql != sql;
            var sharesFile = storeChanged && storeOptions is not null && _storeOptions is { } running && SharesLeaseFile(running, storeOptions);
            if (storeChanged && !sharesFile)
            {
                newStore = sql is null ? OpenStore(storeOptions!, config) : await OpenSqlStoreAsync(sql with { PacketWorkers = PacketWorkersOf(config) }).ConfigureAwait(false);
            }

            var dataDirectory = Path.GetDirectoryName(config.LeaseDatabase.FilePath) is { Length: > 0 } dir ? dir : _environment.DataDirectory;
            var duid = ServerIdentity.LoadOrCreate(config.ServerId, dataDirectory, _time, _log);
            newHostSources = await OpenHostSourcesIfChangedAsync(config).ConfigureAwait(false);
            var runtime = new ServerRuntime(config, duid, _options.ClientPort, _options.ServerPort) { HostSources = newHostSources ?? _hostSources };
            hooks = PrepareHooks(config);
            if (senderChanged && config.DhcpDdns.EnableUpdates)
            {
                // Bound now, so a sender address that cannot be used rejects the configuration.
                newSender = new Ddns.NcrSender(config.DhcpDdns, LeaseStatistics.Registry, _loggers.CreateLogger(Logging.KeaLoggers.Ddns));
            }

            var transportSettings = TransportSettingsOf(config);
            if (_transport is null || transportSettings.Key != _transportKey)
            {
                // Bound last: from now on the kernel hands unicast to this socket, which queues it until started.
                newTransport = BindTransport(transportSettings);
            }

            // 2. Stop taking packets; swap with none in flight.
            var drained = await PauseTransportAsync().ConfigureAwait(false);
            if (sharesFile)
            {
                if (!drained)
                {
                    throw new InvalidOperationException($"packets were still being processed after {PacketDrainWait.TotalSeconds:0.#} s, so the lease file {storeOptions!.FilePath} was not reopened");
                }

                newStore = OpenStoreOnOwnFile(storeOptions!, config);
            }

            // Counted with the workers paused, from the store that will serve; a store that cannot answer
            // fails the reconfiguration here, before anything is swapped.
            // A database not reached at start (retry-on-startup) is counted once the recovery reaches it.
            var startsUnconnected = newStore is IRecoverableLeaseStore { OpenFailure: not null };
            var counts = startsUnconnected
                ? LeaseCountSnapshot.None
                : await LeaseCountSnapshot.ReadAsync(newStore ?? _store!, config.Subnets).ConfigureAwait(false);
            hooks.Publish();
            if (Hooks.CallSrvConfigured(config, _network) is { } veto)
            {
                var reason = $"dhcp6_srv_configured: {veto}";
                _log.LogError(new EventId(0, "DHCP6_HOOKS_LIBS_RELOAD_FAIL"), "reload of hooks libraries failed: {Reason}", reason);
                throw new ConfigurationRejectedException([new ConfigError("Dhcp6/hooks-libraries", reason)]);
            }

            // The commit: nothing below is expected to fail.
            if (newStore is not null)
            {
                replacedStore = _store;
                _store = newStore;
                _storeOptions = storeOptions;
                _storeSql = sql;
                newStore = null;
                _databaseRecovery?.Dispose();
                _databaseRecovery = _store is IRecoverableLeaseStore recoverable && sql is not null
                    ? new DatabaseRecovery(recoverable, sql, _network, RequestShutdown, _loggers.CreateLogger(Logging.KeaLoggers.Dhcp6), _time, startsUnconnected ? RecountAsync : null)
                    : null;
                if (_store is MemfileLeaseStore memfile)
                {
                    _log.LogInformation(new EventId(0, "DHCPSRV_MEMFILE_DB"), "opening memory file lease database: {File} ({Count} leases)", memfile.Options.FilePath, memfile.Count);
                }
            }

            if (newHostSources is not null)
            {
                replacedHostSources = SwapHostSources(newHostSources, config.HostsDatabases);
                newHostSources = null;
            }

            var store = _store!;
            if (store is IExtendedInfoTables tables)
            {
                // Kea's lease query library turns its backend's extended-info tables on with bulk leasequery's switch.
                tables.ExtendedInfoTablesEnabled = config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<BuiltIn.LeaseQuery.LeaseQueryOptions>()
                    .FirstOrDefault()?.Advanced?.ExtendedInfoTablesEnabled == true;
            }

            if (store is ISharedFreeLeaseQueue queue)
            {
                queue.SharedFreeLeaseQueueSubnets = SharedFreeLeaseQueueSubnets(config);
            }

            if (_processor is null || !ReferenceEquals(_processor.Allocation.Store, store))
            {
                var allocation = new AllocationEngine(store, LeaseStatistics, PacketStatistics, _loggers.CreateLogger("kea-dhcp6.alloc-engine"));
                _processor = new Dhcp6Processor(runtime, allocation, PacketStatistics, LeaseStatistics, _loggers, _time);
            }
            else
            {
                _processor.Apply(runtime);
            }

            _processor.Hooks = Hooks;
            if (senderChanged)
            {
                replacedSender = _ncrSender;
                _ncrSender = newSender;
                newSender = null;
            }

            _processor.Ddns.Sender = _ncrSender;
            LeaseStatistics.Recount(config.Subnets, counts);
            _reclaimer = new LeaseReclaimer(_processor.Allocation.Writer, _processor.Allocation.Claims, LeaseStatistics, _loggers.CreateLogger("kea-dhcp6.alloc-engine")) { Hooks = Hooks };
            if (newTransport is not null)
            {
                replacedTransport = _transport;
                newTransport.Start(_processor);
                _transport = newTransport;
                _transportKey = transportSettings.Key;
                newTransport = null;
            }
            else
            {
                _transport!.Processor = _processor;
            }

            AfterApply(config);
            await ApplyHighAvailabilityAsync(config).ConfigureAwait(false);
            await ApplyLeaseQueryAsync(config).ConfigureAwait(false);
            foreach (var iface in transportSettings.Interfaces)
            {
                _log.LogInformation(new EventId(0, "DHCPSRV_CFGMGR_ADD_IFACE"), "listening on interface {Interface}", iface.Name);
            }
        }
        catch
        {
            // Undone before the workers resume, so no packet meets the new hook libraries.
            hooks?.Dispose();
            newStore?.Dispose();
            await CloseHostSourcesAsync(newHostSources).ConfigureAwait(false);
            if (newSender is not null)
            {
                await newSender.DisposeAsync().ConfigureAwait(false);
            }

            if (newTransport is not null)
            {
                await newTransport.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            // The transport serving now: the running one after a failure, the kept or new one after the swap.
            _transport?.Resume();
        }

        // 3. Close what was replaced.
        if (replacedTransport is not null)
        {
            await replacedTransport.DisposeAsync().ConfigureAwait(false);
        }

        if (replacedSender is not null)
        {
            await replacedSender.DisposeAsync().ConfigureAwait(false);
        }

        await CloseHostSourcesAsync(replacedHostSources).ConfigureAwait(false);
        if (replacedStore is not null)
        {
            LogStoreClosing(replacedStore);
            replacedStore.Dispose();
        }

        hooks.Commit();
    }

    /// <summary>
    /// Pauses the running transport's workers and waits, bounded, until no packet is in the
    /// pipeline. False when some still were at the deadline (logged; the swap goes ahead).
    /// </summary>
    private async Task<bool> PauseTransportAsync()
    {
        if (_transport is not { } transport || await transport.PauseAsync(PacketDrainWait).ConfigureAwait(false))
        {
            return true;
        }

        _log.LogWarning(new EventId(0, "DHCP6_RECONFIGURE_DRAIN_TIMEOUT"), "packets were still being processed {Wait} after the workers were paused; reconfiguring anyway", PacketDrainWait);
        return false;
    }

    private void LogStoreClosing(ILeaseStore store)
    {
        if (store is MemfileLeaseStore memfile)
        {
            _log.LogDebug(new EventId(0, "DHCPSRV_MEMFILE_CLOSE"), "closing the lease file {File}", memfile.Options.FilePath);
        }
    }

    /// <summary>Recounts the lease statistics from the store that serves, for the configuration in force.</summary>
    private async Task RecountAsync(CancellationToken cancellationToken)
    {
        if (Config is { } config && _store is { } store)
        {
            LeaseStatistics.Recount(config.Subnets, await LeaseCountSnapshot.ReadAsync(store, config.Subnets, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Opens the PostgreSQL lease database through the host's backend; a configuration error when there is none.</summary>
    private async Task<ILeaseStore> OpenSqlStoreAsync(SqlDatabaseAccess access)
    {
        if (_options.OpenPostgreSqlLeaseStore is not { } open)
        {
            throw new ConfigurationRejectedException([new ConfigError("Dhcp6/lease-database/type", "lease database type 'postgresql' is not available in this host")]);
        }

        return await open(access, _loggers, CancellationToken.None).ConfigureAwait(false);
    }

    private MemfileLeaseStore OpenStore(MemfileOptions options, DhcpConfig config)
    {
        var logger = LeaseDatabaseLog;
        var store = new MemfileLeaseStore(options, logger, _time)
        {
            LoadChecks = new LeaseSanityChecker(config.LeaseChecks, config.Subnets, logger),
            ExtendedInfoChecks = config.ExtendedInfoChecks,
        };
        try
        {
            store.Open();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a second store on the file the running store owns (only other settings changed). Runs
    /// with the workers drained, so the running store appends nothing; if the file set changed
    /// while it was read anyway (a lease command, the running store's lease file cleanup), the
    /// read is repeated. Waits, bounded, for a cleanup of this process to finish first.
    /// </summary>
    private MemfileLeaseStore OpenStoreOnOwnFile(MemfileOptions options, DhcpConfig config)
    {
        const int attempts = 3;
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var before = LeaseFileFingerprint.Of(options.FilePath);
            while (before.OwnCleanupRunning && Stopwatch.GetElapsedTime(started) < PacketDrainWait)
            {
                Thread.Sleep(50);
                before = LeaseFileFingerprint.Of(options.FilePath);
            }

            var store = OpenStore(options, config);
            if (!before.OwnCleanupRunning && LeaseFileFingerprint.Of(options.FilePath) == before)
            {
                return store;
            }

            store.Dispose();
        }

        throw new LeaseFileException($"the lease file {options.FilePath} kept changing while it was read again (lease file cleanup running?); the running lease database is kept");
    }

    private static bool SharesLeaseFile(MemfileOptions running, MemfileOptions next) =>
        running.Persist && next.Persist && string.Equals(Path.GetFullPath(running.FilePath), Path.GetFullPath(next.FilePath), StringComparison.Ordinal);

    /// <summary>
    /// Kea reloads every hook library on each successful reconfiguration; here the new list is
    /// loaded beside the running libraries (all-or-nothing) and published only at the swap.
    /// </summary>
    private HookLibrarySwap PrepareHooks(DhcpConfig config)
    {
        try
        {
            return Hooks.PrepareSwap(config.HooksLibraries, config.MultiThreading.Enabled);
        }
        catch (HookLoadException ex)
        {
            _log.LogError(new EventId(0, "DHCP6_HOOKS_LIBS_RELOAD_FAIL"), "reload of hooks libraries failed: {Reason}", ex.Message);
            throw new ConfigurationRejectedException([new ConfigError("Dhcp6/hooks-libraries", ex.Message)]);
        }
    }

    private TransportSettings TransportSettingsOf(DhcpConfig config)
    {
        var (interfaces, missing) = InterfaceInfo.Resolve(config.Interfaces.Select(i => i.Name));
        foreach (var name in missing)
        {
            _log.LogWarning(new EventId(0, "DHCPSRV_OPEN_SOCKET_FAIL"), "failed to open socket: interface {Interface} not found", name);
        }

        // A worker runs its batch in order, so where a query waits on a database round trip the rest of its batch would
        // wait too while other workers idle: there each worker takes one datagram at a time, as before.
        var inMemory = config.LeaseDatabase.Type == LeaseDatabaseConfig.Memfile && config.HostsDatabases.Count == 0;
        return new TransportSettings(
            interfaces, _options.ServerPort, PacketWorkersOf(config), config.MultiThreading.PacketQueueSize, ReceiveInWorkers: !config.MultiThreading.HasPacketQueue,
            config.MultiThreading.ReceiveBufferBytes, inMemory ? TransportSettings.MemoryBatch : 1);
    }

    private static int PacketWorkersOf(DhcpConfig config)
    {
        var mt = config.MultiThreading;
        return mt.Enabled ? (mt.ThreadPoolSize > 0 ? mt.ThreadPoolSize : Environment.ProcessorCount) : 1;
    }

    private UdpTransport BindTransport(TransportSettings settings)
    {
        try
        {
            return TransportFactory(settings);
        }
        catch (SocketException ex)
        {
            _log.LogError(new EventId(0, "DHCPSRV_OPEN_SOCKET_FAIL"), "failed to open socket on port {Port}: {Reason}", settings.Port, ex.Message);
            throw new IOException($"failed to open socket on port {settings.Port}: {ex.Message}", ex);
        }
    }

    /// <summary>The subnets and lease types whose allocator is Kea's <c>shared-flq</c>.</summary>
    internal static IReadOnlySet<(uint SubnetId, LeaseType Type)> SharedFreeLeaseQueueSubnets(DhcpConfig config)
    {
        var subnets = new HashSet<(uint SubnetId, LeaseType Type)>();
        foreach (var subnet in config.Subnets)
        {
            if (subnet.Allocator == AllocatorKind.SharedFreeLeaseQueue)
            {
                subnets.Add((subnet.Id, LeaseType.NA));
            }

            if (subnet.PdAllocator == AllocatorKind.SharedFreeLeaseQueue)
            {
                subnets.Add((subnet.Id, LeaseType.PD));
            }
        }

        return subnets;
    }
}
