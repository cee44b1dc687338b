using System.Text;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases.Index;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Kea-compatible memfile lease database: all leases live in memory (the truth), and every change is
/// appended as one CSV row to the lease file, which Kea can read and write too. Lease file cleanup (LFC)
/// runs in-process using Kea's file-name protocol, so Kea's own kea-lfc and startup recovery understand
/// whatever state our files are left in.
/// </summary>
/// <remarks>
/// <para>Concurrency: one short lock covers the memory change and the append, so the file's row order is
/// the order of the in-memory changes. The index keeps leases as records and hands out new <see cref="Lease6"/>
/// objects, so readers and writers never share one.</para>
/// <para>LFC timer: when <see cref="MemfileOptions.LfcIntervalSeconds"/> is non-zero, <see cref="Open"/>
/// starts a repeating timer (on the injected <see cref="TimeProvider"/>) that calls
/// <see cref="RunLfcAsync"/>; the server need not schedule anything. A control command can call
/// <see cref="RunLfcAsync"/> directly at any time; overlapping runs are skipped.</para>
/// </remarks>
internal sealed class MemfileLeaseStore : ILeaseStore
{
    private static readonly TimeSpan DisposeLfcWait = TimeSpan.FromSeconds(30);

    /// <summary>From this many loaded leases on, <see cref="Open"/> compacts the heap after the load (see there).</summary>
    private const int CompactAfterLoadLeases = 100_000;

    private readonly MemfileOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LeaseFileSet? _files;
    private readonly Lock _gate = new();
    private readonly LeaseIndex _index = new();

    // Reused for every row written under _gate: formatting allocates nothing per call.
    private readonly StringBuilder _row = new(256);
    private readonly SemaphoreSlim _lfcRunning = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private LeaseFileWriter? _writer;

    // The journal: rows of changes already made in memory, in the order made, not yet written to the file.
    // A unit of work's commit writes everything pending in one write() (its own rows and any other worker's
    // made before them), so the file's row order stays the order of the memory changes.
    private byte[] _pending = new byte[4096];
    private int _pendingLength;
    private long _appendedSequence;
    private long _writtenSequence;
    private ITimer? _lfcTimer;
    private bool _opened;
    private bool _disposed;

    public MemfileLeaseStore(MemfileOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _logger = logger;
        _time = time;
        if (options.Persist)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(options.FilePath, nameof(options));
            _files = new LeaseFileSet(Path.GetFullPath(options.FilePath));
        }
    }

    public MemfileOptions Options => _options;

    /// <summary><c>sanity-checks</c> applied to the rows <see cref="Open"/> loads (not to LFC's merge); set before opening.</summary>
    public LeaseSanityChecker? LoadChecks { get; set; }

    /// <summary>
    /// <c>sanity-checks.extended-info-checks</c> applied to the leases <see cref="Open"/> loads, once all files are
    /// read (the changes stay in memory; the file keeps what it has until a lease is written again, as in Kea); set
    /// before opening. None unless set (the server sets the configuration's, Kea's default being fix).
    /// </summary>
    public ExtendedInfoSanityMode ExtendedInfoChecks { get; set; } = ExtendedInfoSanityMode.None;

    /// <summary>Number of leases stored (tests and the start-up log line).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>
    /// Loads the lease files (<c>.completed</c> if present, else <c>.2</c> then <c>.1</c>; then the current
    /// file; last row wins, valid lifetime 0 deletes) and opens the current file for appending. A current
    /// file written with another schema version is converted by an immediate, synchronous LFC so that
    /// new rows never go into a file with an old header.
    /// </summary>
    /// <exception cref="LeaseFileException">Invalid header, too many bad rows, or another process's LFC is running.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_opened)
        {
            throw new InvalidOperationException("The lease store is already open.");
        }

        if (_files is null)
        {
            _opened = true;
            _logger.LogInformation(new EventId(0, "DHCPSRV_MEMFILE_NO_STORAGE"), "running in non-persistent mode; leases are kept in memory only");
            return;
        }

        if (LeaseLfcPidFile.ForeignHolder(_files.Pid) is { } pid)
        {
            throw new LeaseFileException(
                $"Cannot load '{_files.Current}': lease file cleanup is running (process {pid}, pid file '{_files.Pid}').");
        }

        var loaded = LoadFiles(_files, out var current);
        if (loaded >= CompactAfterLoadLeases)
        {
            // The load's working memory (a parsed lease per row, the address table's outgrown arrays, the arrays the
            // sorted indexes were built from) has left the heap with tens of MB it no longer needs; returning them at
            // once keeps the server's resident memory at what the leases take (one blocking collection of 0.1-0.2 s,
            // at start-up or reconfiguration only; without it a million leases left 233 MB resident, not 196).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        if (current.NeedsConversion)
        {
            ConvertAtStartup(current.HeaderColumns);
        }

        _writer = LeaseFileWriter.OpenForAppend(_files.Current);
        _opened = true;
        _logger.LogInformation(new EventId(0, "DHCPSRV_MEMFILE_LEASE_FILE_LOAD"), "loaded {Count} leases from {File}", loaded, _files.Current);

        if (_options.LfcIntervalSeconds > 0)
        {
            var period = TimeSpan.FromSeconds(_options.LfcIntervalSeconds);
            _lfcTimer = _time.CreateTimer(static state => ((MemfileLeaseStore)state!).OnLfcTimer(), this, period, period);
        }
    }

    /// <summary>
    /// Replays the lease files into the index and returns how many leases it holds; <paramref name="current"/> is the
    /// current file's load.
    /// </summary>
    private int LoadFiles(LeaseFileSet files, out LeaseFileLoadStats current)
    {
        IReadOnlyList<LeaseFileLoadStats> stats;
        lock (_gate)
        {
            // The rows go straight into the index's records: no lease object outlives its row.
            stats = LeaseFileLoader.LoadSet(files, _index.BeginLoad(), _options.MaxRowErrors, _logger, LoadChecks);
            _index.FinishLoad();
        }

        current = stats[^1];
        foreach (var s in stats.Where(s => s.HeaderColumns > 0))
        {
            _logger.LogInformation(
                "Loaded lease file {File}: {Rows} rows, {Stored} stored, {Deleted} deleted, {Errors} invalid, {Columns} columns",
                s.Path, s.Rows, s.Stored, s.Deleted, s.Errors, s.HeaderColumns);
        }

        CheckExtendedInfo();
        return Count;
    }

    /// <summary><see cref="ExtendedInfoChecks"/> over the loaded leases that have a user context; a changed lease is stored again.</summary>
    private void CheckExtendedInfo()
    {
        LeaseExtendedInfoLog.BeginLoadChecks(_logger, LeaseExtendedInfoSanity.ToText(ExtendedInfoChecks));
        var changed = 0;
        if (ExtendedInfoChecks != ExtendedInfoSanityMode.None)
        {
            var withContext = new List<Lease6>();
            lock (_gate)
            {
                _index.CollectWithUserContext(withContext);
            }

            foreach (var lease in withContext)
            {
                var context = lease.UserContext;
                if (LeaseExtendedInfoSanity.Apply(ref context, ExtendedInfoChecks, lease.Address, _logger))
                {
                    lease.UserContext = context;
                    lock (_gate)
                    {
                        _index.Replace(lease);
                    }

                    changed++;
                }
            }
        }

        LeaseExtendedInfoLog.LoadChecksDone(_logger, Count, changed);
    }

    /// <summary>
    /// Runs lease file cleanup now: rotates the current file to <c>.1</c> (unless an earlier run left
    /// <c>.1</c> or <c>.completed</c> behind, which are finished first instead), then merges <c>.2</c> and
    /// <c>.1</c> in the background into one row per live lease, which becomes the new <c>.2</c>.
    /// The store keeps serving and appending to the new current file meanwhile. Returns at once if a
    /// cleanup is already running in this process, or does nothing if another process's is.
    /// </summary>
    public async Task RunLfcAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_files is null)
        {
            return;
        }

        if (!_opened)
        {
            throw new InvalidOperationException("The lease store is not open.");
        }

        if (!await _lfcRunning.WaitAsync(0, ct).ConfigureAwait(false))
        {
            _logger.LogInformation(new EventId(0, "DHCPSRV_MEMFILE_LFC_RUNNING"), "lease file cleanup of {File} already running; request ignored", _files.Current);
            return;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposing.Token);
            var token = linked.Token;
            await Task.Run(() => RunLfcCore(_files, token), token).ConfigureAwait(false);
        }
        finally
        {
            _lfcRunning.Release();
        }
    }

    public ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default)
    {
        Lease6? stored;
        lock (_gate)
        {
            stored = _index.Find(address);
        }

        return ValueTask.FromResult(stored);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default) =>
        Collect((duid, iaid, type), static (index, key, result) => index.CollectByClient(key.duid.Span, key.iaid, key.type, result));

    public ValueTask AddByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, List<Lease6> into, LeaseRental? rental = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _index.CollectByClient(duid.Span, iaid, type, into, rental);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) =>
        Collect(duid, static (index, key, result) => index.CollectByDuid(key.Span, result));

    public ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default) =>
        Collect(0, static (index, _, result) => index.CollectAll(result));

    public ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) =>
        Collect(subnetId, static (index, id, result) => index.CollectBySubnet(id, result));

    public ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Collect((after, limit), static (index, args, result) => index.CollectPage(args.after, args.limit, result));
    }

    public ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        return Collect(hostname, static (index, name, result) => index.CollectByHostname(name, result));
    }

    public ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) =>
        Collect(hardwareAddress, static (index, key, result) => index.CollectByHardwareAddress(key.Span, result));

    public ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) =>
        Collect(state, static (index, st, result) => index.CollectByState(st, result));

    public ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return Collect((now, max), static (index, args, result) => index.CollectExpired(args.now, args.max, result));
    }

    public ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default)
    {
        var result = new List<LeaseCount>();
        lock (_gate)
        {
            _index.CountBy(subnetId, result);
        }

        return ValueTask.FromResult<IReadOnlyList<LeaseCount>>(result);
    }

    public ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default)
    {
        var result = new List<LeaseCount>();
        lock (_gate)
        {
            _index.CountRange(first, last, result);
        }

        return ValueTask.FromResult<IReadOnlyList<LeaseCount>>(result);
    }

    /// <summary>Counted from the leases, as Kea's memfile does: expired leases not yet reclaimed still count.</summary>
    public ValueTask<IReadOnlyList<LeaseCount>> GetLeaseStatisticsAsync(uint firstSubnetId, uint lastSubnetId, CancellationToken cancellationToken = default)
    {
        var counts = new List<LeaseCount>();
        lock (_gate)
        {
            _index.CountBy(firstSubnetId == lastSubnetId ? firstSubnetId : null, counts);
        }

        var result = counts
            .Where(c => c.SubnetId >= firstSubnetId && c.SubnetId <= lastSubnetId && c.Count > 0
                && ((c.State == LeaseState.Default && c.Type is LeaseType.NA or LeaseType.PD)
                    || (c.State == LeaseState.Declined && c.Type == LeaseType.NA)))
            .OrderBy(c => c.SubnetId).ThenBy(c => c.Type).ThenBy(c => c.State)
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<LeaseCount>>(result);
    }

    /// <summary>Closed (a reload replaced it, or the server is stopping).</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed);

    public ILeaseUnitOfWork BeginWork()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new MemfileUnitOfWork(this);
    }

    /// <summary>
    /// Runs one index query under the lock; the leases it finds are copies made for the caller, gathered in this
    /// thread's scratch list and returned as an array of their number, so a client's one or two leases (every Request
    /// and Renew asks) cost one small array, and none cost nothing.
    /// </summary>
    private ValueTask<IReadOnlyList<Lease6>> Collect<TArg>(TArg arg, Action<LeaseIndex, TArg, List<Lease6>> query)
    {
        var scratch = t_collected ??= [];
        try
        {
            lock (_gate)
            {
                query(_index, arg, scratch);
            }

            return ValueTask.FromResult<IReadOnlyList<Lease6>>(scratch.Count == 0 ? [] : scratch.ToArray());
        }
        finally
        {
            // A large answer (lease6-get-all) is not kept alive by the thread.
            if (scratch.Capacity > 256)
            {
                t_collected = null;
            }
            else
            {
                scratch.Clear();
            }
        }
    }

    [ThreadStatic]
    private static List<Lease6>? t_collected;

    /// <summary>
    /// <c>lease6-write</c>: writes every lease to <paramref name="path"/> as a fresh Kea CSV file (mode 0640). An
    /// existing file is first renamed to <c>&lt;path&gt;.bak&lt;pid&gt;</c>, as Kea does. When the path is the live
    /// lease file, the store continues appending to the new file.
    /// </summary>
    public void WriteLeases(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        lock (_gate)
        {
            EnsureUsable();
            WritePending();
            var leases = new List<Lease6>();
            _index.CollectAll(leases);
            leases.Sort((a, b) => a.Address.CompareTo(b.Address));
            var isLive = _files is not null && string.Equals(full, _files.Current, StringComparison.Ordinal);
            if (isLive)
            {
                _writer?.Dispose();
                _writer = null;
            }

            try
            {
                if (File.Exists(full))
                {
                    File.Move(full, $"{full}.bak{Environment.ProcessId}", overwrite: true);
                }

                using (var writer = LeaseFileWriter.OpenForAppend(full))
                {
                    foreach (var lease in leases)
                    {
                        _row.Clear();
                        LeaseCsvFormatter.AppendRow(_row, lease, asDelete: false);
                        writer.Append(_row);
                    }
                }
            }
            finally
            {
                if (isLive)
                {
                    _writer = LeaseFileWriter.OpenForAppend(full);
                }
            }
        }
    }

    /// <summary>Stores a copy of a new lease in memory and queues its row; <paramref name="sequence"/> is the row's place in the journal.</summary>
    /// <exception cref="ArgumentException">A non-declined lease without DUID (Kea refuses to write it).</exception>
    internal LeaseWriteResult Insert(Lease6 lease, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(lease);
        sequence = 0;
        lock (_gate)
        {
            EnsureWritable();
            if (_index.Contains(lease.Address))
            {
                return LeaseWriteResult.Conflict;
            }

            sequence = Journal(lease, asDelete: false);
            _index.TryAdd(lease);
        }

        return LeaseWriteResult.Written;
    }

    internal LeaseWriteResult Update(Lease6 expected, Lease6 updated, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(updated);
        if (expected.Address != updated.Address)
        {
            throw new ArgumentException($"An update keeps the address: {expected.Address} -> {updated.Address}.", nameof(updated));
        }

        sequence = 0;
        lock (_gate)
        {
            EnsureWritable();
            switch (_index.IsStoredVersion(expected))
            {
                case null:
                    return LeaseWriteResult.NotFound;
                case false:
                    return LeaseWriteResult.Conflict;
            }

            sequence = Journal(updated, asDelete: false);
            _index.Replace(updated);
        }

        return LeaseWriteResult.Written;
    }

    internal LeaseWriteResult Delete(Lease6 expected, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(expected);
        sequence = 0;
        lock (_gate)
        {
            EnsureWritable();
            var stored = _index.Find(expected.Address);
            if (stored is null)
            {
                return LeaseWriteResult.NotFound;
            }

            if (!stored.IsSameVersion(expected))
            {
                return LeaseWriteResult.Conflict;
            }

            // The deletion record is the stored lease with zero lifetimes.
            sequence = Journal(stored, asDelete: true);
            _index.Remove(stored.Address);
        }

        return LeaseWriteResult.Written;
    }

    internal IReadOnlyList<Lease6> DeleteExpiredReclaimed(long olderThan, out long sequence)
    {
        var removed = new List<Lease6>();
        sequence = 0;
        lock (_gate)
        {
            EnsureWritable();
            var addresses = _index.ReclaimedBefore(olderThan);
            foreach (var address in addresses)
            {
                var stored = _index.Find(address)!;
                sequence = Journal(stored, asDelete: true);
                _index.Remove(address);
                removed.Add(stored);
            }
        }

        return removed;
    }

    /// <summary>Writes the journal up to <paramref name="sequence"/> (and whatever else is pending) to the file.</summary>
    /// <exception cref="IOException">The rows could not be written; they stay pending for the next commit.</exception>
    internal void Commit(long sequence)
    {
        if (sequence == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_writtenSequence < sequence)
            {
                WritePending();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _lfcTimer?.Dispose();
        _disposing.Cancel();

        // Let a running cleanup reach a step boundary before closing the file under it.
        var idle = _lfcRunning.Wait(DisposeLfcWait);
        if (!idle)
        {
            _logger.LogWarning(new EventId(0, "DHCPSRV_MEMFILE_LFC_SHUTDOWN"), "lease file cleanup still running at shutdown; closing the lease file anyway");
        }

        lock (_gate)
        {
            try
            {
                WritePending();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                _logger.LogError(new EventId(0, "DHCPSRV_MEMFILE_WRITE_FAILED"), ex, "could not write {Count} bytes of pending lease rows to {File} at shutdown: {Reason}", _pendingLength, _files?.Current, ex.Message);
            }

            _writer?.Dispose();
            _writer = null;
        }

        if (idle)
        {
            _lfcRunning.Release();
        }

        _disposing.Dispose();
    }

    /// <summary>Test support: whether every index agrees with the address table.</summary>
    internal bool IndexesConsistent()
    {
        lock (_gate)
        {
            return _index.IsConsistent();
        }
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_files is not null && !_opened)
        {
            throw new InvalidOperationException("The lease store is not open; call Open() first.");
        }
    }

    // Caller holds _gate. A change is refused, not made, when its row could never reach the file.
    private void EnsureWritable()
    {
        EnsureUsable();
        if (_files is not null && _writer is null)
        {
            throw new InvalidOperationException($"The lease file '{_files.Current}' is not open (a rotation failed); the change was not made.");
        }
    }

    // Caller holds _gate. Queues the change's row; returns its journal sequence (0 when nothing is persisted).
    private long Journal(Lease6 lease, bool asDelete)
    {
        if (_files is null)
        {
            return 0;
        }

        _row.Clear();
        LeaseCsvFormatter.AppendRow(_row, lease, asDelete);
        var needed = _pendingLength + _row.Length + 1;
        if (needed > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(needed, _pending.Length * 2));
        }

        // Rows are pure ASCII (free text is escaped), so each char is one byte.
        foreach (var chunk in _row.GetChunks())
        {
            foreach (var c in chunk.Span)
            {
                _pending[_pendingLength++] = (byte)c;
            }
        }

        _pending[_pendingLength++] = (byte)'\n';
        return ++_appendedSequence;
    }

    // Caller holds _gate: the rows are written in journal order, and no rotation can come between.
    private void WritePending()
    {
        if (_pendingLength == 0)
        {
            return;
        }

        if (_writer is null)
        {
            throw new InvalidOperationException($"The lease file '{_files!.Current}' is not open (a rotation failed); {_pendingLength} bytes of lease rows are not written.");
        }

        _writer.AppendRows(_pending.AsSpan(0, _pendingLength));
        _pendingLength = 0;
        _writtenSequence = _appendedSequence;
        if (_pending.Length > 1 << 16)
        {
            _pending = new byte[4096]; // a burst (a bulk command) does not pin a large buffer
        }
    }

    private void ConvertAtStartup(int columns)
    {
        var files = _files!;
        _logger.LogInformation(
            "Lease file {File} has {Columns} columns instead of {Expected}; running lease file cleanup to convert it",
            files.Current, columns, LeaseCsvSchema.ColumnCount);
        if (!LeaseLfcPidFile.TryAcquire(files.Pid))
        {
            throw new LeaseFileException($"Cannot convert '{files.Current}': another lease file cleanup holds '{files.Pid}'.");
        }

        try
        {
            // Finish what an interrupted run left, so the current file can be rotated to .1.
            if (File.Exists(files.Finished) || File.Exists(files.Input))
            {
                LeaseFileCleanup.Run(files, _logger, CancellationToken.None);
            }

            File.Move(files.Current, files.Input);
            var result = LeaseFileCleanup.Run(files, _logger, CancellationToken.None);
            _logger.LogInformation(
                "Lease file conversion finished: {Rows} rows read, {Errors} invalid, {Leases} leases written to {File}",
                result.RowsRead, result.RowErrors, result.LeasesWritten, files.Previous);
        }
        finally
        {
            LeaseLfcPidFile.Release(files.Pid);
        }
    }

    private void RunLfcCore(LeaseFileSet files, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        if (!LeaseLfcPidFile.TryAcquire(files.Pid))
        {
            _logger.LogWarning(new EventId(0, "DHCPSRV_MEMFILE_LFC_LOCKED"), "lease file cleanup skipped: another process holds {PidFile}", files.Pid);
            return;
        }

        try
        {
            var rotated = false;
            lock (_gate)
            {
                if (_disposed || _writer is null)
                {
                    return;
                }

                // Like Kea: only rotate when no earlier cleanup is pending; otherwise finish that one and let
                // the current file keep growing until the next run.
                if (!File.Exists(files.Finished) && !File.Exists(files.Input))
                {
                    Rotate(files);
                    rotated = true;
                }
            }

            _logger.LogInformation(new EventId(0, "DHCPSRV_MEMFILE_LFC_START"), "lease file cleanup of {File} started (rotated current file: {Rotated})", files.Current, rotated);
            var result = LeaseFileCleanup.Run(files, _logger, token);
            _logger.LogInformation(
                "Lease file cleanup of {File} finished in {Elapsed} ms: {Rows} rows read, {Errors} invalid, {Leases} leases written{Resumed}",
                files.Current,
                (long)_time.GetElapsedTime(started).TotalMilliseconds,
                result.RowsRead,
                result.RowErrors,
                result.LeasesWritten,
                result.Processed ? string.Empty : " (resumed an interrupted run)");
        }
        finally
        {
            LeaseLfcPidFile.Release(files.Pid);
        }
    }

    // Caller holds _gate, so no row is appended between closing the old file and opening the new one.
    private void Rotate(LeaseFileSet files)
    {
        // Pending rows belong to the file being rotated out: the cleanup reads them from there.
        WritePending();
        _writer!.Dispose();
        _writer = null;
        try
        {
            File.Move(files.Current, files.Input);
        }
        finally
        {
            // After a failed move this reopens the old file, so serving continues either way.
            _writer = LeaseFileWriter.OpenForAppend(files.Current);
        }
    }

    private void OnLfcTimer() => _ = RunLfcFromTimerAsync();

    private async Task RunLfcFromTimerAsync()
    {
        try
        {
            await RunLfcAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        catch (ObjectDisposedException)
        {
            // Timer fired while disposing.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LeaseFileException or ArgumentException)
        {
            _logger.LogError(ex, "Periodic lease file cleanup of {File} failed; it will be retried at the next interval", _files!.Current);
        }
    }
}
