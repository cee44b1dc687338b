using Pukeko.Server.Statistics;

namespace Pukeko.Server.Hooks;

/// <summary>
/// What one library's callouts did wrong, counted as <c>hooks.library[n].*</c> (n = the library's place in
/// <c>hooks-libraries</c>, as in the per-callout <c>hooks[hook].library[n].*</c> counters): an operator sees which
/// library misbehaves without reading logs. Pukeko's own statistics; Kea has none of these.
/// </summary>
internal sealed class LibraryAccounting
{
    private readonly Counter? _exceptions;
    private readonly Counter? _timeouts;
    private readonly Counter? _violations;
    private readonly Counter? _overruns;
    private readonly Counter? _allocated;

    public LibraryAccounting(StatisticsRegistry? statistics, int libraryIndex)
    {
        if (statistics is null)
        {
            return;
        }

        var prefix = Prefix(libraryIndex);
        _exceptions = statistics.Get(prefix + "callout-exceptions");
        _timeouts = statistics.Get(prefix + "callout-timeouts");
        _violations = statistics.Get(prefix + "argument-violations");
        _overruns = statistics.Get(prefix + "budget-overruns");
        _allocated = statistics.Get(prefix + "allocated-bytes");
    }

    /// <summary>A registry without statistics (probes, tests without a registry) counts nothing.</summary>
    public static LibraryAccounting None { get; } = new(null, 0);

    /// <summary>The statistic name prefix of a library: <c>hooks.library[n].</c>.</summary>
    public static string Prefix(int libraryIndex) => $"hooks.library[{libraryIndex}].";

    public void Exception() => _exceptions?.Increment();

    public void Timeout() => _timeouts?.Increment();

    public void Violation() => _violations?.Increment();

    public void Overrun() => _overruns?.Increment();

    public void Allocated(long bytes)
    {
        if (bytes > 0)
        {
            _allocated?.Add(bytes);
        }
    }
}
