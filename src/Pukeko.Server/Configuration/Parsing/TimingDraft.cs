using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Lifetime and T1/T2 keys that Kea accepts at global, shared-network and subnet level and inherits downwards.
/// Kept in one draft so every level registers and validates them the same way.
/// </summary>
internal sealed class TimingDraft
{
    public TripletDraft Valid { get; } = new("valid-lifetime");

    public TripletDraft Preferred { get; } = new("preferred-lifetime");

    public uint? RenewTimer { get; set; }

    public string? RenewTimerPath { get; set; }

    public uint? RebindTimer { get; set; }

    public string? RebindTimerPath { get; set; }

    public bool? CalculateTeeTimes { get; set; }

    public string? CalculateTeeTimesPath { get; set; }

    public double? T1Percent { get; set; }

    public string? T1PercentPath { get; set; }

    public double? T2Percent { get; set; }

    public string? T2PercentPath { get; set; }

    /// <summary>
    /// This level with every key it leaves out taken from <paramref name="parent"/> (shared network over global).
    /// A lifetime triplet is inherited as a unit: a level that sets any of X/min-X/max-X defines all three.
    /// </summary>
    public TimingDraft InheritFrom(TimingDraft parent)
    {
        var merged = new TimingDraft();
        Copy(Valid.IsSpecified ? Valid : parent.Valid, merged.Valid);
        Copy(Preferred.IsSpecified ? Preferred : parent.Preferred, merged.Preferred);
        (merged.RenewTimer, merged.RenewTimerPath) = RenewTimer.HasValue ? (RenewTimer, RenewTimerPath) : (parent.RenewTimer, parent.RenewTimerPath);
        (merged.RebindTimer, merged.RebindTimerPath) = RebindTimer.HasValue ? (RebindTimer, RebindTimerPath) : (parent.RebindTimer, parent.RebindTimerPath);
        (merged.CalculateTeeTimes, merged.CalculateTeeTimesPath) = CalculateTeeTimes.HasValue ? (CalculateTeeTimes, CalculateTeeTimesPath) : (parent.CalculateTeeTimes, parent.CalculateTeeTimesPath);
        (merged.T1Percent, merged.T1PercentPath) = T1Percent.HasValue ? (T1Percent, T1PercentPath) : (parent.T1Percent, parent.T1PercentPath);
        (merged.T2Percent, merged.T2PercentPath) = T2Percent.HasValue ? (T2Percent, T2PercentPath) : (parent.T2Percent, parent.T2PercentPath);
        return merged;
    }

    private static void Copy(TripletDraft from, TripletDraft to)
    {
        to.Value = from.Value;
        to.Min = from.Min;
        to.Max = from.Max;
        to.ValuePath = from.ValuePath;
        to.MinPath = from.MinPath;
        to.MaxPath = from.MaxPath;
    }

    /// <summary>Adds the lifetime/timer keys to a map's key table.</summary>
    public static void Register<TDraft>(KeyTable<TDraft> table, Func<TDraft, TimingDraft> select)
    {
        RegisterTriplet(table, "valid-lifetime", d => select(d).Valid);
        RegisterTriplet(table, "preferred-lifetime", d => select(d).Preferred);
        table.On("renew-timer", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).RenewTimer = x;
                select(d).RenewTimerPath = p;
            }
        });
        table.On("rebind-timer", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).RebindTimer = x;
                select(d).RebindTimerPath = p;
            }
        });
        table.On("calculate-tee-times", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var x))
            {
                select(d).CalculateTeeTimes = x;
                select(d).CalculateTeeTimesPath = p;
            }
        });
        table.On("t1-percent", (d, v, p, c) =>
        {
            if (TryPercent(v, p, c, out var x))
            {
                select(d).T1Percent = x;
                select(d).T1PercentPath = p;
            }
        });
        table.On("t2-percent", (d, v, p, c) =>
        {
            if (TryPercent(v, p, c, out var x))
            {
                select(d).T2Percent = x;
                select(d).T2PercentPath = p;
            }
        });
    }

    internal static void RegisterTriplet<TDraft>(KeyTable<TDraft> table, string name, Func<TDraft, TripletDraft> select)
    {
        table.On(name, (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).Value = x;
                select(d).ValuePath = p;
            }
        });
        table.On("min-" + name, (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).Min = x;
                select(d).MinPath = p;
            }
        });
        table.On("max-" + name, (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).Max = x;
                select(d).MaxPath = p;
            }
        });
    }

    private static bool TryPercent(JsonElement value, string path, ParseContext context, out double result)
    {
        if (!context.TryDouble(value, path, out result))
        {
            return false;
        }

        // Kea requires a fraction strictly between 0 and 1 for both percentages.
        if (result <= 0.0 || result >= 1.0)
        {
            context.Error(path, $"{path[(path.LastIndexOf('/') + 1)..]} must be greater than 0 and less than 1, got {result}");
            return false;
        }

        return true;
    }
}
