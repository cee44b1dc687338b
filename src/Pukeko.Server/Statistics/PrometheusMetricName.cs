using System.Text;
using System.Text.RegularExpressions;

namespace Pukeko.Server.Statistics;

/// <summary>
/// How a Kea statistic name maps to a Prometheus metric: the scope prefix becomes labels, the rest the name.
/// <c>pkt6-received</c> → <c>pukeko_dhcp6_pkt6_received</c>; <c>subnet[1].assigned-nas</c> →
/// <c>pukeko_dhcp6_subnet_assigned_nas{subnet_id="1"}</c>; <c>subnet[1].pool[0].total-nas</c> →
/// <c>pukeko_dhcp6_pool_total_nas{subnet_id="1",pool_id="0"}</c>; <c>subnet[1].pd-pool[2].x</c> →
/// <c>pukeko_dhcp6_pd_pool_x{subnet_id="1",pd_pool_id="2"}</c>.
/// </summary>
internal sealed partial record PrometheusMetricName(string Name, string[] LabelNames, string[] LabelValues)
{
    public const string Prefix = "pukeko_dhcp6_";

    private static readonly string[] NoLabels = [];

    public static PrometheusMetricName FromStatistic(string statistic)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        var match = ScopedName().Match(statistic);
        if (!match.Success)
        {
            return new(Prefix + Sanitize(statistic), NoLabels, NoLabels);
        }

        var subnet = match.Groups["subnet"].Value;
        var rest = match.Groups["rest"].Value;
        if (match.Groups["pool"].Success)
        {
            var isPd = match.Groups["kind"].Value == "pd-pool";
            return new(
                Prefix + (isPd ? "pd_pool_" : "pool_") + Sanitize(rest),
                ["subnet_id", isPd ? "pd_pool_id" : "pool_id"],
                [subnet, match.Groups["pool"].Value]);
        }

        return new(Prefix + "subnet_" + Sanitize(rest), ["subnet_id"], [subnet]);
    }

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^subnet\[(?<subnet>\d+)\]\.(?:(?<kind>pool|pd-pool)\[(?<pool>\d+)\]\.)?(?<rest>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ScopedName();
}
