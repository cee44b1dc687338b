using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Statistics;
using CommandHandler = Pukeko.Hooks.CommandHandler;

namespace Pukeko.Server.Hooks;

/// <summary>
/// The loaded hook libraries and their callouts per hook point, called with Kea's rules
/// (digest §1.5): library order then registration order; every callout runs whatever the status;
/// a throwing callout is logged <c>HOOKS_CALLOUT_EXCEPTION</c> and turns the status to DROP; a
/// non-zero return is logged <c>HOOKS_CALLOUT_ERROR</c>. Libraries load all-or-nothing, each in
/// its own collectible load context, and unload in reverse order.
/// </summary>
/// <remarks>
/// The callout table is an immutable snapshot swapped on every change, so the packet path reads
/// it without a lock and <see cref="HasCallouts"/> is one array-length check. A caller may still
/// hold an older snapshot, so every callout runs inside its library's <see cref="LoadedLibrary.Calls"/>
/// gate: unloading closes the gate and waits (bounded by <see cref="UnloadWait"/>) until the
/// library's running callouts have returned before calling its <c>unload()</c>.
/// </remarks>
internal sealed partial class HooksManager : ICommandExtensions, IDisposable
{
    private static readonly Version ServerApiVersion = new(HooksApiVersion.Major, HooksApiVersion.Minor);

    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly StatisticsRegistry? _statistics;
    private readonly Lock _gate = new();

    // Serializes whole load/unload operations (which wait for callouts outside _gate, so a callout
    // that registers callouts is never blocked by an unload waiting for it).
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ParkingLot[] _lots;
    private readonly ParkingLotHandle[] _lotHandles;
    private readonly LoadedLibrary _pre;
    private readonly LoadedLibrary _post;
    private List<LoadedLibrary> _libraries = [];
    private IReadOnlyList<HooksLibraryConfig> _configured = [];
    private bool _multiThreading;
    private volatile CalloutTable _table;
    private CancellationTokenSource _abort = new();

    public HooksManager(ILoggerFactory? loggers = null, StatisticsRegistry? statistics = null)
    {
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _log = _loggers.CreateLogger("kea-dhcp6.hooks");
        _statistics = statistics;
        _lots = new ParkingLot[HookPoints.All.Count];
        _lotHandles = new ParkingLotHandle[HookPoints.All.Count];
        for (var i = 0; i < _lots.Length; i++)
        {
            _lots[i] = new ParkingLot(HookPoints.All[i].Name);
            _lotHandles[i] = new ParkingLotHandle(_lots[i]);
        }

        _pre = new LoadedLibrary(0, "pre-callouts", null);
        _pre.Handle = new ServerLibraryHandle(this, _pre, _loggers);
        _post = new LoadedLibrary(int.MaxValue, "post-callouts", null);
        _post.Handle = new ServerLibraryHandle(this, _post, _loggers);
        _table = new CalloutTable([.. HookPoints.All.Select(_ => Array.Empty<CalloutEntry>())]);
    }

    /// <summary>The clock given to built-in libraries (the forensic log's timestamps and file names); tests replace it.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>What the built-in forensic log's syslog and database backends use (the host supplies the database).</summary>
    public BuiltIn.ForensicLog.ForensicLogBackends ForensicBackends { get; set; } = BuiltIn.ForensicLog.ForensicLogBackends.Default;

    /// <summary>How long unloading waits for a library's running callouts before unloading it anyway.</summary>
    public TimeSpan UnloadWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Kea's pre-callouts handle (library index 0): runs before every library. For the server's own and tests' callouts.</summary>
    public LibraryHandle PreCalloutsLibraryHandle => _pre.Handle!;

    /// <summary>Kea's post-callouts handle: runs after every library.</summary>
    public LibraryHandle PostCalloutsLibraryHandle => _post.Handle!;

    /// <summary>Names (file names) of the loaded libraries in configuration order.</summary>
    public IReadOnlyList<string> LibraryNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _libraries.Select(l => l.Name)];
            }
        }
    }

    /// <summary>The entry objects of the loaded libraries in configuration order (built-in ones among them), for tests and diagnostics.</summary>
    internal IReadOnlyList<HookLibrary> LoadedEntries
    {
        get
        {
            lock (_gate)
            {
                return [.. _libraries.Select(l => l.Entry).OfType<HookLibrary>()];
            }
        }
    }

    /// <summary>True when any callout is registered on the hook point; check before building arguments.</summary>
    public bool HasCallouts(int hookIndex) => _table.Entries[hookIndex].Length != 0;

    /// <summary>
    /// The callout table in force while no callout at all is registered, else null. The table is replaced whenever a
    /// callout is registered or a library loaded, so a packet processed from start to end under one such table was
    /// never handed to a callout (<see cref="Pipeline.PacketRecycler"/>).
    /// </summary>
    internal object? CalloutFreeTable
    {
        get
        {
            var table = _table;
            return table.CalloutFree ? table : null;
        }
    }

    /// <summary>The parking lot of a hook point.</summary>
    public ParkingLot LotOf(int hookIndex) => _lots[hookIndex];

    /// <summary>Packets parked on all hook points.</summary>
    public int ParkedCount => _lots.Sum(l => l.Count);

    /// <summary>
    /// Replaces the loaded libraries with <paramref name="libraries"/>: unloads the current ones
    /// (reverse order), then loads the new ones in order. All-or-nothing: if one fails, those
    /// already loaded are unloaded again and <see cref="HookLoadException"/> says which and why.
    /// </summary>
    public void Load(IReadOnlyList<HooksLibraryConfig> libraries, bool multiThreading)
    {
        _lifecycle.Wait();
        try
        {
            List<LoadedLibrary> previous;
            lock (_gate)
            {
                previous = TakeAllLocked();
            }

            RetireLibraries(previous);
            var loaded = LoadAll(libraries, multiThreading);
            lock (_gate)
            {
                _libraries = loaded;
                _configured = libraries;
                _multiThreading = multiThreading;
                RebuildLocked();
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Loads <paramref name="libraries"/> beside the running ones for a reconfiguration: nothing
    /// changes for packets until <see cref="HookLibrarySwap.Publish"/>. All-or-nothing like
    /// <see cref="Load"/>. Until the swap is committed or disposed, other loads and unloads wait.
    /// </summary>
    public HookLibrarySwap PrepareSwap(IReadOnlyList<HooksLibraryConfig> libraries, bool multiThreading)
    {
        _lifecycle.Wait();
        try
        {
            return new HookLibrarySwap(this, new InstalledLibraries(LoadAll(libraries, multiThreading), libraries, multiThreading));
        }
        catch
        {
            _lifecycle.Release();
            throw;
        }
    }

    /// <summary>Makes <paramref name="next"/> the libraries whose callouts are called; returns the ones it replaced (still loaded).</summary>
    internal InstalledLibraries Install(InstalledLibraries next)
    {
        lock (_gate)
        {
            ClearParkingLots();
            var previous = new InstalledLibraries(_libraries, _configured, _multiThreading);
            _libraries = next.Libraries;
            _configured = next.Configured;
            _multiThreading = next.MultiThreading;
            RebuildLocked();
            return previous;
        }
    }

    /// <summary>Ends a swap: unloads the libraries that lost (after their callouts returned) and lets other loads in.</summary>
    internal void FinishSwap(List<LoadedLibrary> unpublished)
    {
        try
        {
            RetireLibraries(unpublished);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Loads each library in order; if one fails, those already loaded are unloaded again and the reason is thrown.</summary>
    private List<LoadedLibrary> LoadAll(IReadOnlyList<HooksLibraryConfig> libraries, bool multiThreading)
    {
        var loaded = new List<LoadedLibrary>();
        try
        {
            var index = 1;
            foreach (var config in libraries)
            {
                // Kea's own libraries are never loaded (KeaNativeLibraries says which are acceptable).
                switch (KeaNativeLibraries.Find(config.Library))
                {
                    case { Kind: KeaNativeLibraryKind.BuiltIn } native:
                        if (BuiltIn.BuiltInLibraries.Create(config, Time, _statistics, ForensicBackends) is { } builtIn)
                        {
                            loaded.Add(StartBuiltIn(index++, config, builtIn, multiThreading));
                            _log.LogInformation(new EventId(0, "HOOKS_KEA_LIBRARY_BUILT_IN"), "hooks library {Library}: {Reason}", config.Library, native.Message);
                            continue;
                        }

                        // Served by a server component (commands, HA, lease query) rather than by callouts.
                        _log.LogInformation(new EventId(0, "HOOKS_KEA_LIBRARY_BUILT_IN"), "hooks library {Library}: {Reason}", config.Library, native.Message);
                        continue;
                    case { Kind: KeaNativeLibraryKind.NotBuiltIn } native:
                        _log.LogWarning(new EventId(0, "HOOKS_KEA_LIBRARY_UNSUPPORTED"), "hooks library {Library}: {Reason}", config.Library, native.Message);
                        continue;
                    case { } native:
                        _log.LogError(new EventId(0, "HOOKS_KEA_LIBRARY_UNSUPPORTED"), "hooks library {Library}: {Reason}", config.Library, native.Message);
                        throw new HookLoadException($"hooks library {config.Library}: {native.Message}");
                }

                loaded.Add(LoadFromFile(index++, config, multiThreading));
            }
        }
        catch
        {
            RetireLibraries(loaded);
            throw;
        }

        return loaded;
    }

    /// <summary>
    /// A Kea library built into the server (<see cref="BuiltIn.BuiltInLibraries"/>): no file and no load context, but
    /// otherwise started like a loaded library, at its place in the configured order.
    /// </summary>
    private LoadedLibrary StartBuiltIn(int index, HooksLibraryConfig config, HookLibrary entry, bool multiThreading)
    {
        var library = new LoadedLibrary(index, config.Library, config.Parameters) { Entry = entry, Budget = config.CalloutBudget };
        library.Handle = new ServerLibraryHandle(this, library, _loggers);
        try
        {
            Start(library, multiThreading);
            return library;
        }
        catch
        {
            // load() may have opened something before failing; a built-in entry is told to let it go.
            try
            {
                entry.Unload();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogError(new EventId(0, "HOOKS_UNLOAD_EXCEPTION"), ex, "'unload' function in hook library {Library} threw an exception: {Reason}", library.Path, ex.Message);
            }

            throw;
        }
    }

    /// <summary>
    /// Adds an already-constructed entry object as the next library (no file, no load context):
    /// the server's built-in hooks and tests use this. Runs its convention callouts and
    /// <see cref="HookLibrary.Load"/> like a file library; with <paramref name="multiThreading"/> an entry that is not
    /// multi-threading compatible is refused, as a file library is.
    /// </summary>
    public LibraryHandle LoadInProcess(HookLibrary entry, string name, JsonElement? parameters = null, TimeSpan? calloutBudget = null, bool multiThreading = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var library = new LoadedLibrary(_libraries.Count == 0 ? 1 : _libraries[^1].Index + 1, name, parameters) { Entry = entry, Budget = calloutBudget };
            library.Handle = new ServerLibraryHandle(this, library, _loggers);
            Start(library, multiThreading);
            _libraries = [.. _libraries, library];
            RebuildLocked();
            return library.Handle;
        }
    }

    /// <summary>Unloads every library in reverse order (calling <see cref="HookLibrary.Unload"/>) and drops parked packets.</summary>
    public void UnloadAll()
    {
        _lifecycle.Wait();
        try
        {
            List<LoadedLibrary> previous;
            lock (_gate)
            {
                previous = TakeAllLocked();
                _configured = [];
            }

            RetireLibraries(previous);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Checks a <c>hooks-libraries</c> list the way <c>-t</c> does: each library is loaded in
    /// isolation, its <c>load()</c> called, then everything unloaded. Returns one message per
    /// failure ("library: reason"); empty when all is well.
    /// </summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<HooksLibraryConfig> libraries, bool multiThreading, ILoggerFactory? loggers = null, BuiltIn.ForensicLog.ForensicLogBackends? forensic = null)
    {
        using var probe = new HooksManager(loggers) { ForensicBackends = forensic ?? BuiltIn.ForensicLog.ForensicLogBackends.Default };
        try
        {
            probe.Load(libraries, multiThreading);
            probe.UnloadAll();
            return [];
        }
        catch (HookLoadException ex)
        {
            return [ex.Message];
        }
    }

    /// <summary>Drops every parked packet (reconfiguration, shutdown) and cancels asynchronous callouts in progress.</summary>
    public int ClearParkingLots()
    {
        var dropped = 0;
        foreach (var lot in _lots)
        {
            dropped += lot.Clear();
        }

        var abort = Interlocked.Exchange(ref _abort, new CancellationTokenSource());
        abort.Cancel();
        abort.Dispose();
        if (dropped > 0)
        {
            _log.LogDebug(new EventId(0, "HOOKS_PARKED_PACKETS_DROPPED"), "dropped {Count} parked packets", dropped);
        }

        return dropped;
    }

    public void Dispose()
    {
        UnloadAll();
        _abort.Dispose();
    }

    /// <summary>A new per-packet handle; calls <c>context_create</c>.</summary>
    public CalloutHandle CreateHandle()
    {
        var handle = new CalloutHandle();
        if (HasCallouts(HookPoints.ContextCreate))
        {
            Call(HookPoints.ContextCreate, handle);
            handle.ResetState();
        }

        return handle;
    }

    /// <summary>Ends a packet's handle; calls <c>context_destroy</c>.</summary>
    public void ReleaseHandle(CalloutHandle? handle)
    {
        if (handle is not null && HasCallouts(HookPoints.ContextDestroy))
        {
            Call(HookPoints.ContextDestroy, handle);
            handle.ResetState();
        }
    }

    /// <summary>
    /// Calls every callout of a hook point synchronously and returns the final status. The
    /// caller has set the arguments; it reads them back and calls <see cref="CalloutHandle.ResetState"/>
    /// (through <see cref="EndCall"/>).
    /// </summary>
    public NextStep Call(int hookIndex, CalloutHandle handle)
    {
        var entries = _table.Entries[hookIndex];
        Begin(hookIndex, handle);
        foreach (var entry in entries)
        {
            if (entry.Sync is not null)
            {
                InvokeSync(entry, handle);
            }
            else
            {
                // Only parkable hook points hold asynchronous callouts; called here, they block.
                InvokeBlocking(entry, handle);
            }
        }

        handle.CurrentLibrary = CalloutHandle.ServerLibraryIndex;
        ThrowIfUnusable(hookIndex, handle);
        return handle.Status;
    }

    /// <summary>
    /// Calls the callouts of a hook point that can park. Synchronous callouts run inline; the
    /// first asynchronous one that does not finish at once makes the rest of the chain continue
    /// when it completes (with its library's timeout), without holding the calling thread.
    /// </summary>
    public ValueTask<NextStep> CallAsync(int hookIndex, CalloutHandle handle)
    {
        var entries = _table.Entries[hookIndex];
        Begin(hookIndex, handle);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Sync is not null)
            {
                InvokeSync(entry, handle);
                continue;
            }

            var start = Stopwatch.GetTimestamp();
            if (!TryStartAsync(entry, handle, out var pending, out var cancel))
            {
                continue;
            }

            if (pending.IsCompleted)
            {
                FinishAsync(entry, handle, pending, cancel, start);
                continue;
            }

            return new ValueTask<NextStep>(ContinueAsync(entries, i, pending, cancel, start, handle));
        }

        handle.CurrentLibrary = CalloutHandle.ServerLibraryIndex;
        ThrowIfUnusable(hookIndex, handle);
        return new ValueTask<NextStep>(handle.Status);
    }

    /// <summary>Turns off option copying on the packets and resets the handle (arguments cleared, status CONTINUE).</summary>
    public static void EndCall(CalloutHandle handle, Dhcp6Packet? first = null, Dhcp6Packet? second = null)
    {
        if (first is not null)
        {
            first.CopyRetrievedOptions = false;
        }

        if (second is not null)
        {
            second.CopyRetrievedOptions = false;
        }

        handle.ResetState();
    }

    private void Begin(int hookIndex, CalloutHandle handle)
    {
        handle.Status = NextStep.Continue;
        handle.ArgumentViolation = null;
        handle.HookName = HookPoints.All[hookIndex].Name;
        handle.ParkingLot = HookPoints.All[hookIndex].CanPark ? _lotHandles[hookIndex] : null;
    }

    private void InvokeSync(CalloutEntry entry, CalloutHandle handle)
    {
        if (!entry.LibraryCalls.TryEnter())
        {
            // The library is being unloaded; this caller read the callout table just before.
            return;
        }

        handle.CurrentLibrary = entry.LibraryIndex;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        try
        {
            var result = entry.Sync!(handle);
            if (result != 0)
            {
                LogError(entry, handle, result);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogException(entry, handle, ex);
            handle.Status = NextStep.Drop;
        }
        finally
        {
            entry.Record(start);
            entry.LibraryCalls.Leave();

            // Per-thread and cheap (a read of the allocation context): left on so an operator can see which library
            // allocates, since a callout's memory cannot be capped in .NET.
            entry.Accounting.Allocated(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
        }

        CheckBudget(entry, handle, start);
        CheckArguments(entry, handle);
    }

    /// <summary>
    /// A synchronous callout cannot be interrupted (nor, as in Kea, is it ever timed out): past its library's budget
    /// it is only logged and counted. The transport's watchdog keeps other clients served while it blocks a worker.
    /// </summary>
    private void CheckBudget(CalloutEntry entry, CalloutHandle handle, long start)
    {
        if (entry.Budget is not { } budget)
        {
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        if (elapsed > budget)
        {
            entry.Accounting.Overrun();
            HooksLog.CalloutBudgetExceeded(_log, handle.HookName, entry.LibraryName, (long)elapsed.TotalMilliseconds, (long)budget.TotalMilliseconds);
        }
    }

    /// <summary>Blames the library whose callout just returned for arguments it left unusable; the packet's fate is decided after the chain.</summary>
    private void CheckArguments(CalloutEntry entry, CalloutHandle handle)
    {
        string? reason;
        try
        {
            reason = ArgumentRules.Check(entry.HookIndex, handle);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A value whose getters throw (a callout's own subclass of nothing we know) is as unusable as a null.
            reason = "arguments could not be checked: " + ex.Message;
        }

        if (reason is null)
        {
            return;
        }

        entry.Accounting.Violation();
        HooksLog.CalloutArgumentInvalid(_log, handle.HookName, entry.LibraryName, reason);
        handle.ArgumentViolation ??= $"hooks library {entry.LibraryName} on {handle.HookName}: {reason}";
    }

    /// <summary>On the packet path an unusable argument ends the packet, as Kea's failing read-back does.</summary>
    private static void ThrowIfUnusable(int hookIndex, CalloutHandle handle)
    {
        if (handle.ArgumentViolation is { } violation && ArgumentRules.DropsPacket(hookIndex))
        {
            throw new HookArgumentException(violation);
        }
    }

    private void InvokeBlocking(CalloutEntry entry, CalloutHandle handle)
    {
        var start = Stopwatch.GetTimestamp();
        if (!TryStartAsync(entry, handle, out var pending, out var cancel))
        {
            return;
        }

        if (!pending.IsCompleted)
        {
            try
            {
                pending.AsTask().Wait(entry.Timeout);
            }
            catch (AggregateException)
            {
                // Reported by FinishAsync.
            }
        }

        FinishAsync(entry, handle, pending, cancel, start);
    }

    /// <summary>
    /// Starts an asynchronous callout inside its library's gate (left again by <see cref="FinishAsync"/>);
    /// false, with nothing started, when the library is being unloaded.
    /// </summary>
    private bool TryStartAsync(CalloutEntry entry, CalloutHandle handle, out ValueTask<int> pending, [NotNullWhen(true)] out CancellationTokenSource? cancel)
    {
        if (!entry.LibraryCalls.TryEnter())
        {
            pending = default;
            cancel = null;
            return false;
        }

        handle.CurrentLibrary = entry.LibraryIndex;
        cancel = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        cancel.CancelAfter(entry.Timeout);
        handle.CancellationToken = cancel.Token;
        try
        {
            pending = entry.Async!(handle);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            pending = ValueTask.FromException<int>(ex);
        }

        return true;
    }

    private void FinishAsync(CalloutEntry entry, CalloutHandle handle, ValueTask<int> pending, CancellationTokenSource cancel, long start)
    {
        handle.CurrentLibrary = entry.LibraryIndex;
        var answered = false;
        try
        {
            // Past the deadline the callout's answer no longer counts, even if it returned
            // (it may have returned because its token was cancelled).
            if (!pending.IsCompleted || cancel.IsCancellationRequested)
            {
                TimedOut(entry, handle, cancel, start);
                return;
            }

            answered = true;

            var result = pending.GetAwaiter().GetResult();
            if (result != 0)
            {
                LogError(entry, handle, result);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogException(entry, handle, ex);
            handle.Status = NextStep.Drop;
        }
        finally
        {
            handle.CancellationToken = CancellationToken.None;
            cancel.Dispose();
            entry.Record(start);

            // A callout past its timeout has been cancelled and no longer holds up an unload.
            entry.LibraryCalls.Leave();
        }

        if (answered)
        {
            CheckArguments(entry, handle);
        }
    }

    private async Task<NextStep> ContinueAsync(CalloutEntry[] entries, int index, ValueTask<int> pending, CancellationTokenSource cancel, long start, CalloutHandle handle)
    {
        var entry = entries[index];
        while (true)
        {
            var abort = _abort.Token;
            try
            {
                await pending.AsTask().WaitAsync(entry.Timeout, abort).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // FinishAsync sees the task unfinished and reports the timeout.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The callout failed; FinishAsync reports it.
            }

            FinishAsync(entry, handle, pending, cancel, start);
            for (index++; index < entries.Length; index++)
            {
                entry = entries[index];
                if (entry.Sync is not null)
                {
                    InvokeSync(entry, handle);
                    continue;
                }

                start = Stopwatch.GetTimestamp();
                if (!TryStartAsync(entry, handle, out pending, out var started))
                {
                    continue;
                }

                cancel = started;
                if (!pending.IsCompleted)
                {
                    break;
                }

                FinishAsync(entry, handle, pending, cancel, start);
            }

            if (index >= entries.Length)
            {
                handle.CurrentLibrary = CalloutHandle.ServerLibraryIndex;
                ThrowIfUnusable(entry.HookIndex, handle);
                return handle.Status;
            }
        }
    }

    private void TimedOut(CalloutEntry entry, CalloutHandle handle, CancellationTokenSource cancel, long start)
    {
        handle.Status = NextStep.Drop;

        // Logged and counted before the callout is cancelled, so whoever sees the callout end (or the counter move)
        // also finds the log line.
        _log.LogError(new EventId(0, "HOOKS_CALLOUT_TIMEOUT"), "asynchronous callout on hook {Hook} of library {Library} did not finish within {Timeout}; the packet is dropped", handle.HookName, entry.LibraryName, entry.Timeout);

        // A reconfiguration or shutdown cancels callouts too (through _abort); only the library's own lateness is its fault.
        if (Stopwatch.GetElapsedTime(start) >= entry.Timeout * 0.9)
        {
            entry.Accounting.Timeout();
        }

        cancel.Cancel();
    }

    private void LogError(CalloutEntry entry, CalloutHandle handle, int result) =>
        _log.LogError(new EventId(0, "HOOKS_CALLOUT_ERROR"), "error returned by callout on hook {Hook} registered by library with index {Index} ({Library}): return code {Code}", handle.HookName, entry.LibraryIndex, entry.LibraryName, result);

    private void LogException(CalloutEntry entry, CalloutHandle handle, Exception ex)
    {
        entry.Accounting.Exception();
        _log.LogError(new EventId(0, "HOOKS_CALLOUT_EXCEPTION"), ex, "exception thrown by callout on hook {Hook} registered by library with index {Index} ({Library}): {Reason}", handle.HookName, entry.LibraryIndex, entry.LibraryName, ex.Message);
    }

    private LoadedLibrary LoadFromFile(int index, HooksLibraryConfig config, bool multiThreading)
    {
        var path = config.Library;
        if (!File.Exists(path))
        {
            _log.LogError(new EventId(0, "HOOKS_OPEN_ERROR"), "failed to open hook library {Library}: file not found", path);
            throw new HookLoadException($"hooks library {path}: file not found");
        }

        var library = new LoadedLibrary(index, path, config.Parameters) { Budget = config.CalloutBudget };
        library.Context = new HookLibraryLoadContext(path);
        try
        {
            Assembly assembly;
            try
            {
                assembly = library.Context.LoadFromAssemblyPath(path);
            }
            catch (BadImageFormatException)
            {
                throw new HookLoadException($"hooks library {path}: not a .NET assembly");
            }

            var api = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == "Pukeko.Hooks")
                ?? throw new HookLoadException($"hooks library {path}: does not reference Pukeko.Hooks");
            var builtAgainst = ApiVersionOf(api);
            if (!CanRun(builtAgainst, ServerApiVersion))
            {
                // Checked here because the load context would hand the library this server's
                // Pukeko.Hooks anyway, and a member it lacks would only fail when first called.
                _log.LogError(new EventId(0, "HOOKS_INCORRECT_VERSION"), "hook library {Library} is at version {Theirs}, require version {Ours}", path, builtAgainst.ToString(2), ServerApiVersion.ToString(2));
                throw new HookLoadException($"hooks library {path}: built against the Pukeko hooks API {builtAgainst.ToString(2)}, this server provides {ServerApiVersion.ToString(2)}");
            }

            if (assembly.GetReferencedAssemblies().Any(a => a.Name == typeof(HooksManager).Assembly.GetName().Name))
            {
                // Its engine types are internal since hooks API 2.0; a library can only have been built against another build.
                throw new HookLoadException($"hooks library {path}: references Pukeko.Server, which is not part of the hooks API; build it against Pukeko.Hooks and Pukeko.Protocol only");
            }

            Type[] exported;
            try
            {
                exported = assembly.GetExportedTypes();
            }
            catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
            {
                throw new HookLoadException($"hooks library {path}: cannot load its types: {ex.Message}", ex);
            }

            var entries = exported.Where(t => t.IsClass && !t.IsAbstract && typeof(HookLibrary).IsAssignableFrom(t)).ToList();
            if (entries.Count == 0)
            {
                throw new HookLoadException($"hooks library {path}: no entry class (a public non-abstract subclass of Pukeko.Hooks.HookLibrary)");
            }

            if (entries.Count > 1)
            {
                throw new HookLoadException($"hooks library {path}: more than one entry class ({string.Join(", ", entries.Select(t => t.FullName))})");
            }

            try
            {
                library.Entry = (HookLibrary)Activator.CreateInstance(entries[0])!;
            }
            catch (Exception ex) when (ex is TargetInvocationException or MissingMethodException or MemberAccessException)
            {
                throw new HookLoadException($"hooks library {path}: cannot create {entries[0].FullName}: {(ex.InnerException ?? ex).Message}", ex);
            }

            library.Handle = new ServerLibraryHandle(this, library, _loggers);
            Start(library, multiThreading);
            _log.LogInformation(new EventId(0, "HOOKS_LIBRARY_LOADED"), "hooks library {Library} successfully loaded", path);
            return library;
        }
        catch
        {
            library.Registrations.Clear();
            library.Commands.Clear();
            library.Entry = null;
            library.Handle = null;
            library.Context.Unload();
            throw;
        }
    }

    /// <summary>The hooks API version a library was built against: Major.Minor of its Pukeko.Hooks reference.</summary>
    private static Version ApiVersionOf(AssemblyName hooksReference) =>
        hooksReference.Version is { } version ? new Version(version.Major, version.Minor) : new Version(0, 0);

    /// <summary>Same major, and a minor no newer than the server's: everything the library may call exists in the server.</summary>
    internal static bool CanRun(Version builtAgainst, Version server) =>
        builtAgainst.Major == server.Major && builtAgainst.Minor <= server.Minor;

    /// <summary>MT check, convention callouts, then load() — Kea's order.</summary>
    private void Start(LoadedLibrary library, bool multiThreading)
    {
        var entry = library.Entry!;
        if (multiThreading && !entry.MultiThreadingCompatible)
        {
            _log.LogError(new EventId(0, "HOOKS_LIBRARY_MULTI_THREADING_NOT_COMPATIBLE"), "hooks library {Library} is not compatible with multi-threading", library.Path);
            throw new HookLoadException($"hooks library {library.Path}: not multi-threading compatible (override MultiThreadingCompatible) while multi-threading.enable-multi-threading is true");
        }

        List<(string Hook, Delegate Callout)> conventional;
        try
        {
            conventional = ConventionCallouts.Find(entry);
        }
        catch (HookLoadException ex)
        {
            throw new HookLoadException($"hooks library {library.Path}: {ex.Message}");
        }

        foreach (var (hook, callout) in conventional)
        {
            if (callout is Callout sync)
            {
                library.Handle!.RegisterCallout(hook, sync);
            }
            else
            {
                library.Handle!.RegisterCallout(hook, (AsyncCallout)callout);
            }

            _log.LogDebug(new EventId(0, "HOOKS_STD_CALLOUT_REGISTERED"), "hooks library {Library} registered standard callout for hook {Hook}", library.Path, hook);
        }

        int status;
        try
        {
            status = entry.Load(library.Handle!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "HOOKS_LOAD_EXCEPTION"), ex, "'load' function in hook library {Library} threw an exception: {Reason}", library.Path, ex.Message);
            throw new HookLoadException($"hooks library {library.Path}: load() threw: {ex.Message}", ex);
        }

        if (status != 0)
        {
            _log.LogError(new EventId(0, "HOOKS_LOAD_ERROR"), "'load' function in hook library {Library} returned error {Code}", library.Path, status);
            throw new HookLoadException($"hooks library {library.Path}: load() returned {status}");
        }
    }

    /// <summary>Takes every library out of the callout table (they stay loaded) and drops parked packets.</summary>
    private List<LoadedLibrary> TakeAllLocked()
    {
        ClearParkingLots();
        var libraries = _libraries;
        _libraries = [];
        RebuildLocked();
        return libraries;
    }

    /// <summary>
    /// Unloads libraries already taken out of the callout table, in reverse order, once none of
    /// their callouts is running any more: callers that read the table just before may still be
    /// inside one. The wait is bounded by <see cref="UnloadWait"/>; a callout still running then
    /// is logged and the library unloaded anyway.
    /// </summary>
    private void RetireLibraries(List<LoadedLibrary> libraries)
    {
        // Waiting under _gate would block a running callout that registers callouts.
        Debug.Assert(!_gate.IsHeldByCurrentThread, "libraries are retired outside the table lock");
        foreach (var library in libraries)
        {
            library.Calls.Close();
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var library in libraries)
        {
            var remaining = UnloadWait - Stopwatch.GetElapsedTime(started);
            if (!library.Calls.WaitEmpty(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero))
            {
                _log.LogWarning(new EventId(0, "HOOKS_UNLOAD_CALLOUTS_RUNNING"), "hooks library {Library} still has {Count} callouts running after {Wait}; unloading it anyway", library.Path, library.Calls.Inside, UnloadWait);
            }
        }

        for (var i = libraries.Count - 1; i >= 0; i--)
        {
            UnloadLibrary(libraries[i]);
        }
    }

    private void UnloadLibrary(LoadedLibrary library)
    {
        try
        {
            var status = library.Entry?.Unload() ?? 0;
            if (status != 0)
            {
                _log.LogError(new EventId(0, "HOOKS_UNLOAD_ERROR"), "'unload' function in hook library {Library} returned error {Code}", library.Path, status);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "HOOKS_UNLOAD_EXCEPTION"), ex, "'unload' function in hook library {Library} threw an exception: {Reason}", library.Path, ex.Message);
        }

        library.Registrations.Clear();
        library.Commands.Clear();
        library.Entry = null;
        library.Handle = null;
        if (library.Context is { } context)
        {
            library.Context = null;
            context.Unload();
            _log.LogInformation(new EventId(0, "HOOKS_LIBRARY_UNLOADED"), "hooks library {Library} successfully unloaded", library.Path);
        }
    }

    internal void Register(LoadedLibrary library, HookRegistration registration)
    {
        lock (_gate)
        {
            library.Registrations.Add(registration);
            RebuildLocked();
        }
    }

    internal bool Deregister(LoadedLibrary library, int hookIndex, Delegate? callout)
    {
        lock (_gate)
        {
            var removed = library.Registrations.RemoveAll(r => r.HookIndex == hookIndex && (callout is null || r.Original.Equals(callout))) > 0;
            RebuildLocked();
            return removed;
        }
    }

    internal void RegisterCommand(LoadedLibrary library, string command, CommandHandler handler)
    {
        lock (_gate)
        {
            library.Commands[command] = handler;
        }
    }

    private IEnumerable<LoadedLibrary> AllLibrariesLocked()
    {
        yield return _pre;
        foreach (var library in _libraries)
        {
            yield return library;
        }

        yield return _post;
    }

    private void RebuildLocked()
    {
        var table = new List<CalloutEntry>[HookPoints.All.Count];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = [];
        }

        foreach (var library in AllLibrariesLocked())
        {
            // The operator's budget (pukeko-callout-budget-ms) overrides what the library asked for in load().
            var timeout = library.Budget ?? library.Handle?.AsyncCalloutTimeout ?? TimeSpan.FromSeconds(10);
            var accounting = _statistics is null ? LibraryAccounting.None : new LibraryAccounting(_statistics, library.Index);
            foreach (var registration in library.Registrations)
            {
                var hook = HookPoints.All[registration.HookIndex].Name;
                var prefix = $"hooks[{hook}].library[{library.Index}].";
                table[registration.HookIndex].Add(new CalloutEntry(
                    registration.HookIndex,
                    library.Index,
                    library.Name,
                    registration.Original,
                    registration.Sync,
                    registration.Async,
                    timeout,
                    library.Budget,
                    library.Calls,
                    accounting,
                    _statistics?.Get(prefix + "callouts"),
                    _statistics?.Get(prefix + "callout-time-us")));
            }
        }

        _table = new CalloutTable([.. table.Select(l => l.ToArray())]);
    }

    /// <summary>
    /// The callouts of every hook point, replaced as a whole, so whether any is registered is worked out once per
    /// table rather than once per packet.
    /// </summary>
    private sealed class CalloutTable(CalloutEntry[][] entries)
    {
        public CalloutEntry[][] Entries { get; } = entries;

        public bool CalloutFree { get; } = entries.All(callouts => callouts.Length == 0);
    }
}
