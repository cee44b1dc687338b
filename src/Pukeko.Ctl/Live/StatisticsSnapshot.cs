using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Live;

/// <summary>
/// The newest value of every statistic in one <c>statistic-get-all</c> answer, with the (monotonic) time it was taken.
/// </summary>
internal sealed class StatisticsSnapshot
{
    private readonly Dictionary<StatisticName, long> _values;

    public StatisticsSnapshot(IReadOnlyDictionary<string, long> values, TimeSpan takenAt)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = [];
        foreach (var (text, value) in values)
        {
            if (StatisticName.TryParse(text, out var name))
            {
                _values[name] = value;
            }
        }

        TakenAt = takenAt;
    }

    public TimeSpan TakenAt { get; }

    public IEnumerable<StatisticName> Names => _values.Keys;

    /// <summary>
    /// Reads the arguments of <c>statistic-get-all</c>: each statistic is a list of <c>[value, timestamp]</c>
    /// samples, newest first. Statistics whose value is not a number are left out.
    /// </summary>
    public static StatisticsSnapshot Parse(JsonObject arguments, TimeSpan takenAt)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, samples) in arguments)
        {
            if (samples is JsonArray { Count: > 0 } list && list[0] is JsonArray { Count: > 0 } newest && newest[0] is JsonValue value)
            {
                if (value.TryGetValue<long>(out var whole))
                {
                    values[name] = whole;
                }
                else if (value.TryGetValue<double>(out var real) && double.IsFinite(real))
                {
                    values[name] = (long)Math.Clamp(real, long.MinValue, long.MaxValue);
                }
            }
        }

        return new StatisticsSnapshot(values, takenAt);
    }

    public long? Value(StatisticName name) => _values.TryGetValue(name, out var value) ? value : null;

    public long? Value(string globalName) => Value(new StatisticName(globalName));
}
