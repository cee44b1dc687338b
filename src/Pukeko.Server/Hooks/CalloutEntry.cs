using System.Diagnostics;
using Pukeko.Hooks;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Hooks;

/// <summary>One registered callout: whose it is, the delegate, and its timing counters.</summary>
internal sealed class CalloutEntry(int libraryIndex, string libraryName, Delegate original, Callout? sync, AsyncCallout? async, TimeSpan timeout, InFlightGate libraryCalls, Counter? calls, Counter? time)
{
    public int LibraryIndex { get; } = libraryIndex;

    public string LibraryName { get; } = libraryName;

    /// <summary>The delegate as registered, for deregistration.</summary>
    public Delegate Original { get; } = original;

    public Callout? Sync { get; } = sync;

    public AsyncCallout? Async { get; } = async;

    public TimeSpan Timeout { get; } = timeout;

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
