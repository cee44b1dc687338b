namespace Pukeko.Server.Statistics;

/// <summary>One recorded value of a statistic and when it took that value (UTC).</summary>
internal readonly record struct StatisticSample(long Value, DateTime Timestamp);
