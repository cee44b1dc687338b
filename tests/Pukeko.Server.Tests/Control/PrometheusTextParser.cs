using System.Globalization;
using System.Text;

namespace Pukeko.Server.Tests.Control;

/// <summary>One sample line of the Prometheus text format.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4 (metric name grammar, label escaping,
/// HELP/TYPE comments, every sample preceded by its TYPE), so the exporter's output is checked by structure.
/// </summary>
internal static class PrometheusTextParser
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                    Assert.True(types.TryAdd(parts[2], parts[3]), $"duplicate TYPE for {parts[2]}");
                }

                continue;
            }

            var i = 0;
            var name = ReadName(line, ref i);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (line[i] != '}')
                {
                    var label = ReadName(line, ref i);
                    Assert.Equal('=', line[i++]);
                    Assert.Equal('"', line[i++]);
                    var value = new StringBuilder();
                    while (line[i] != '"')
                    {
                        if (line[i] == '\\')
                        {
                            i++;
                            value.Append(line[i] == 'n' ? '\n' : line[i]);
                        }
                        else
                        {
                            value.Append(line[i]);
                        }

                        i++;
                    }

                    i++;
                    Assert.True(labels.TryAdd(label, value.ToString()), $"duplicate label {label}");
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                i++;
            }

            Assert.Equal(' ', line[i++]);
            var fields = line[i..].Split(' ');
            Assert.InRange(fields.Length, 1, 2);
            var number = double.Parse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(types.ContainsKey(name), $"sample {name} has no TYPE line before it");
            samples.Add(new PrometheusSample(name, labels, number));
        }

        return samples;
    }

    private static string ReadName(string line, ref int i)
    {
        var start = i;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        Assert.True(i > start && !char.IsAsciiDigit(line[start]), $"bad metric or label name in '{line}'");
        return line[start..i];
    }
}
