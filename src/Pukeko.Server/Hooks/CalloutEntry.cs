using System.Diagnostics;
using Pukeko.Hooks;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Hooks;

/// <summary>One registered callout: whose it is, the delegate, its time budget and its counters.</summary>
internal sealed class CalloutEntry(int hookIndex, int libraryIndex, string libraryName, Delegate original, Callout? sync, AsyncCallout? async, TimeSpan timeout, TimeSpan? budget, InFlightGate libraryCalls, LibraryAccounting accounting, Counter? calls, Counter? time)
{
    public int HookIndex { get; } = hookIndex;

    public int LibraryIndex { get; } = libraryIndex;

    public string LibraryName { get; } = libraryName;

    /// <summary>The delegate as registered, for deregistration.</summary>
    public Delegate Original { get; } = original;

    public Callout? Sync { get; } = sync;

    public AsyncCallout? Async { get; } = async;

    /// <summary>How long an asynchronous callout may take before it is cancelled and the packet dropped.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>The library's configured per-callout time budget; null (Kea's behaviour) when it has none.</summary>
    public TimeSpan? Budget { get; } = budget;

    /// <summary>The owning library's misbehaviour counters.</summary>
    public LibraryAccounting Accounting { get; } = accounting;

    /// <summary>The owning library's in-flight gate: a callout runs only inside it, so unloading can wait for it.</summary>
    public InFlightGate LibraryCalls { get; } = libraryCalls;

    /// <summary>Adds one call of <paramref name="startTimestamp"/>..now to <c>hooks[hook].library[n].callouts</c> / <c>callout-time-us</c>.</summary>
    public void Record(long startTimestamp)
    {
        if (calls is null)
        {
            return;
        }

        calls.Increment();
        time!.Add((long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds);
    }
}
