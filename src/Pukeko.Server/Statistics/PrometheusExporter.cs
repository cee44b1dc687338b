using Prometheus;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Native Prometheus text exposition of every Kea statistic, built with prometheus-net. Values are copied from
/// the <see cref="StatisticsRegistry"/> at scrape time (a before-collect callback), so the packet path pays
/// nothing for the exporter. All metrics are gauges: Kea's statistics can be reset or removed by command, which
/// Prometheus counters must never do. Names and labels: <see cref="PrometheusMetricName"/> and docs/metrics.md.
/// </summary>
internal sealed class PrometheusExporter
{
    private readonly StatisticsRegistry _statistics;
    private readonly CollectorRegistry _registry;
    private readonly IMetricFactory _factory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Gauge Gauge, string[] Labels)> _published = new(StringComparer.Ordinal);

    public PrometheusExporter(StatisticsRegistry statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        _statistics = statistics;

        // Only our statistics: no process/runtime collectors and no global meter listeners.
        Metrics.SuppressDefaultMetrics();
        _registry = Metrics.NewCustomRegistry();
        _factory = Metrics.WithCustomRegistry(_registry);
        _registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Writes the text exposition format (version 0.0.4).</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    private void Update()
    {
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var counter in _statistics.All())
            {
                var metric = PrometheusMetricName.FromStatistic(counter.Name);
                if (!_gauges.TryGetValue(metric.Name, out var gauge))
                {
                    gauge = _factory.CreateGauge(metric.Name, $"Kea statistic {Describe(counter.Name)}", metric.LabelNames);
                    _gauges[metric.Name] = gauge;
                }
                else if (gauge.LabelNames.Length != metric.LabelNames.Length)
                {
                    // Cannot happen with Kea's naming; never let one odd name break the scrape.
                    continue;
                }

                if (metric.LabelValues.Length == 0)
                {
                    gauge.Set(counter.Value);
                    gauge.Publish();
                }
                else
                {
                    gauge.WithLabels(metric.LabelValues).Set(counter.Value);
                }

                seen.Add(counter.Name);
                _published[counter.Name] = (gauge, metric.LabelValues);
            }

            // Statistics removed by command disappear from the exposition too.
            foreach (var (name, (gauge, labels)) in _published.Where(p => !seen.Contains(p.Key)).ToList())
            {
                if (labels.Length == 0)
                {
                    gauge.Unpublish();
                }
                else
                {
                    gauge.RemoveLabelled(labels);
                }

                _published.Remove(name);
            }
        }
    }

    private static string Describe(string statistic)
    {
        var metric = PrometheusMetricName.FromStatistic(statistic);
        var dot = statistic.LastIndexOf(']');
        var baseName = dot >= 0 && dot + 2 <= statistic.Length ? statistic[(dot + 2)..] : statistic;
        return metric.LabelNames.Length == 0 ? baseName : $"{baseName} per {string.Join(" and ", metric.LabelNames)}";
    }
}
