namespace Pukeko.Server.Statistics;

/// <summary>
/// How much history a statistic keeps. As in Kea, the two limits are alternatives: setting a maximum age turns
/// the count limit off and the other way round.
/// </summary>
internal readonly record struct SampleLimits(int MaxSamples, TimeSpan MaxAge)
{
    /// <summary>Kea's defaults: <c>statistic-default-sample-count</c> 20, <c>statistic-default-sample-age</c> 0.</summary>
    public static SampleLimits Default { get; } = new(20, TimeSpan.Zero);

    /// <summary>True when samples are limited by age (<see cref="MaxSamples"/> is then ignored).</summary>
    public bool ByAge => MaxSamples == 0 && MaxAge > TimeSpan.Zero;

    public static SampleLimits Count(int maxSamples) => new(maxSamples, TimeSpan.Zero);

    public static SampleLimits Age(TimeSpan maxAge) => new(0, maxAge);

    /// <summary>From the configuration's defaults: a count of 0 with an age means "limit by age".</summary>
    public static SampleLimits FromDefaults(uint count, uint ageSeconds) =>
        count == 0 && ageSeconds > 0 ? Age(TimeSpan.FromSeconds(ageSeconds)) : Count((int)Math.Min(count == 0 ? 1 : count, int.MaxValue));
}
