namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// The rows of a lease file, parsed on the thread pool in batches and handed back in file order, so a loader can
/// replay them (later rows win) while other cores parse what follows. Parsing is most of a large load's time (1.8 of
/// 4.1 s for a million rows on one core), and each row parses on its own.
/// </summary>
/// <remarks>
/// The reading thread never waits for the pool: a batch it needs that no pool thread has started is parsed by the
/// reader itself, so a busy or starved pool (start-up, one core) makes the load sequential, never stuck.
/// </remarks>
internal static class LeaseRowBatches
{
    /// <summary>Rows per batch: large enough to make queuing it cheap, small enough to spread over the cores.</summary>
    private const int BatchRows = 4096;

    /// <summary>
    /// Every non-empty line <paramref name="lines"/> has left, parsed against <paramref name="columns"/> columns, in
    /// file order; <paramref name="lineNumber"/> is the number of lines already read (line numbers go on from it).
    /// </summary>
    public static IEnumerable<ParsedLeaseRow> Parse(LeaseFileLineReader lines, int columns, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(lines);
        // Batches handed to the pool and not yet replayed: bounded, so the text read ahead stays a few MB.
        var inFlight = new Queue<Batch>();
        var free = new Stack<Batch>();
        var limit = (2 * Environment.ProcessorCount) + 1;
        var filling = new Batch(columns);
        try
        {
            while (true)
            {
                var more = lines.TryRead(out var line);
                if (more)
                {
                    lineNumber++;
                    if (line.IsEmpty || filling.TryAdd(line, lineNumber))
                    {
                        // Kea skips blank lines too.
                        continue;
                    }
                }

                if (filling.Count > 0)
                {
                    filling.Queue(inFlight.Count > 0 || more);
                    inFlight.Enqueue(filling);
                    filling = free.Count > 0 ? free.Pop() : new Batch(columns);
                    if (more)
                    {
                        filling.TryAdd(line, lineNumber);
                    }
                }

                while (inFlight.Count >= (more ? limit : 1))
                {
                    var ready = inFlight.Dequeue();
                    ready.WaitParsed();
                    for (var i = 0; i < ready.Count; i++)
                    {
                        yield return ready.Row(i);
                    }

                    // A batch the pool still holds a work item for is left to the collector, not refilled under it.
                    if (!ready.InPool)
                    {
                        ready.Reset();
                        free.Push(ready);
                    }
                }

                if (!more)
                {
                    yield break;
                }
            }
        }
        finally
        {
            // Stopped early (too many bad rows): batches still queued are skipped by the pool threads that get them.
            foreach (var batch in inFlight)
            {
                batch.Abandon();
            }
        }
    }

    /// <summary>Up to <see cref="BatchRows"/> rows' text, copied out of the reader, and what they parse to.</summary>
    private sealed class Batch(int columns) : IThreadPoolWorkItem
    {
        private const int Waiting = 0;
        private const int Parsing = 1;
        private const int Parsed = 2;

        private readonly int[] _starts = new int[BatchRows];
        private readonly int[] _lengths = new int[BatchRows];
        private readonly int[] _lineNumbers = new int[BatchRows];
        private readonly Lease6?[] _leases = new Lease6?[BatchRows];
        private readonly string?[] _errors = new string?[BatchRows];
        private readonly string?[] _warnings = new string?[BatchRows];
        private readonly object _gate = new();
        private byte[] _text = new byte[256 * 1024];
        private int _textLength;
        private int _state;
        private volatile bool _inPool;

        public int Count { get; private set; }

        /// <summary>A pool thread has yet to finish with the work item queued for this batch.</summary>
        public bool InPool => _inPool;

        /// <summary>Copies a line in; false when the batch is full (a line longer than the buffer grows it).</summary>
        public bool TryAdd(ReadOnlySpan<byte> line, int lineNumber)
        {
            if (Count == BatchRows || (Count > 0 && _textLength + line.Length > _text.Length))
            {
                return false;
            }

            if (line.Length > _text.Length)
            {
                _text = new byte[line.Length];
            }

            line.CopyTo(_text.AsSpan(_textLength));
            _starts[Count] = _textLength;
            _lengths[Count] = line.Length;
            _lineNumbers[Count] = lineNumber;
            _textLength += line.Length;
            Count++;
            return true;
        }

        /// <summary>Hands the batch to the pool, or (<paramref name="toPool"/> false: nothing else to overlap with) leaves it to the reader.</summary>
        public void Queue(bool toPool)
        {
            if (toPool)
            {
                _inPool = true;
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            ParseIfWaiting();
            _inPool = false;
        }

        /// <summary>Parses the batch now unless another thread has begun (or the reader gave it up).</summary>
        private void ParseIfWaiting()
        {
            if (Interlocked.CompareExchange(ref _state, Parsing, Waiting) != Waiting)
            {
                return;
            }

            for (var i = 0; i < Count; i++)
            {
                LeaseCsvRowParser.TryParse(_text.AsSpan(_starts[i], _lengths[i]), columns, out _leases[i], out _errors[i], out _warnings[i]);
            }

            lock (_gate)
            {
                _state = Parsed;
                Monitor.PulseAll(_gate);
            }
        }

        public void WaitParsed()
        {
            ParseIfWaiting();
            lock (_gate)
            {
                while (_state != Parsed)
                {
                    Monitor.Wait(_gate);
                }
            }
        }

        public ParsedLeaseRow Row(int index) => new(_lineNumbers[index], _leases[index], _errors[index], _warnings[index]);

        /// <summary>Empties the batch for the next rows (the leases handed out belong to the loader now).</summary>
        public void Reset()
        {
            Array.Clear(_leases, 0, Count);
            Array.Clear(_errors, 0, Count);
            Array.Clear(_warnings, 0, Count);
            Count = 0;
            _textLength = 0;
            Volatile.Write(ref _state, Waiting);
        }

        /// <summary>No one will read this batch: a pool thread that gets it does nothing.</summary>
        public void Abandon() => Interlocked.CompareExchange(ref _state, Parsed, Waiting);
    }
}

/// <summary>One non-empty row of a lease file: its line number and what <see cref="LeaseCsvRowParser"/> made of it.</summary>
internal readonly record struct ParsedLeaseRow(int LineNumber, Lease6? Lease, string? Error, string? Warning);
