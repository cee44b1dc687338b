using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.BuiltIn.RunScript;

/// <summary>
/// Runs the operator's script off the packet path: <see cref="TryEnqueue"/> only queues (it never waits), a fixed
/// number of workers start the script and wait for it to exit. Like Kea's <c>ProcessSpawn</c>, the script is executed
/// directly (no shell) with the hook point name as its only argument and exactly the given variables as its
/// environment (nothing inherited). Runs started, failures (not startable, killed or non-zero exit) and runs dropped
/// because the queue was full are counted and logged.
/// </summary>
internal sealed class ScriptRunner : IDisposable
{
    private readonly string _script;
    private readonly ILogger _log;
    private readonly Channel<(string Hook, IReadOnlyList<KeyValuePair<string, string>> Variables)> _queue;
    private readonly Task[] _workers;
    private readonly Counter? _startedStatistic;
    private readonly Counter? _failedStatistic;
    private readonly Counter? _droppedStatistic;
    private long _started;
    private long _failed;
    private long _dropped;
    private int _dropping;

    /// <param name="statisticsPrefix">Prefix of the counters' names in <paramref name="statistics"/> (the library's <c>hooks.library[n].</c>).</param>
    public ScriptRunner(string script, int maxRunning, int queueLimit, ILogger log, StatisticsRegistry? statistics = null, string statisticsPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunning, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLimit, 1);
        _script = script;
        _log = log;
        _startedStatistic = statistics?.Get(statisticsPrefix + "script-runs");
        _failedStatistic = statistics?.Get(statisticsPrefix + "script-failures");
        _droppedStatistic = statistics?.Get(statisticsPrefix + "script-drops");
        _queue = Channel.CreateBounded<(string, IReadOnlyList<KeyValuePair<string, string>>)>(
            new BoundedChannelOptions(queueLimit) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = false, SingleReader = maxRunning == 1 });
        _workers = new Task[maxRunning];
        for (var i = 0; i < maxRunning; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }
    }

    /// <summary>Scripts started.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Runs that failed: the script could not be started, or it exited with a non-zero status or by a signal.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Runs not made because <see cref="RunScriptOptions.QueueLimit"/> runs were already waiting.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Completes when the queue is closed (<see cref="Dispose"/>) and every queued run has ended.</summary>
    public Task Completion => Task.WhenAll(_workers);

    /// <summary>Queues one run; false (counted, logged when dropping starts) when the queue is full or closed.</summary>
    public bool TryEnqueue(string hook, IReadOnlyList<KeyValuePair<string, string>> variables)
    {
        if (_queue.Writer.TryWrite((hook, variables)))
        {
            Volatile.Write(ref _dropping, 0);
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        _droppedStatistic?.Increment();
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            _log.LogWarning(new EventId(0, "RUN_SCRIPT_QUEUE_FULL"), "script {Script} not run for {Hook}: the queue of runs waiting for a free slot is full ({Dropped} runs dropped so far)", _script, hook, dropped);
        }

        return false;
    }

    private async Task WorkAsync()
    {
        await foreach (var (hook, variables) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await RunAsync(hook, variables).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string hook, IReadOnlyList<KeyValuePair<string, string>> variables)
    {
        var start = new ProcessStartInfo(_script) { UseShellExecute = false };
        start.ArgumentList.Add(hook);
        start.Environment.Clear();
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException)
        {
            Fail();
            _log.LogError(new EventId(0, "RUN_SCRIPT_START_FAILED"), "script {Script} could not be started for {Hook}: {Reason}", _script, hook, ex.Message);
            return;
        }

        if (process is null)
        {
            Fail();
            _log.LogError(new EventId(0, "RUN_SCRIPT_START_FAILED"), "script {Script} could not be started for {Hook}", _script, hook);
            return;
        }

        Interlocked.Increment(ref _started);
        _startedStatistic?.Increment();
        using (process)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                Fail();
                _log.LogWarning(new EventId(0, "RUN_SCRIPT_FAILED"), "script {Script} run for {Hook} exited with status {Status}", _script, hook, process.ExitCode);
            }
        }
    }

    private void Fail()
    {
        Interlocked.Increment(ref _failed);
        _failedStatistic?.Increment();
    }

    /// <summary>Closes the queue: runs already queued still happen (they report events that took place); new ones are refused.</summary>
    public void Dispose() => _queue.Writer.TryComplete();
}
