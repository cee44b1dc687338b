using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>
/// The lease query library's <c>advanced</c> map: the bulk leasequery service over TCP (RFC 5460), with Kea's keys,
/// defaults and limits. Active leasequery and TLS are refused (Kea refuses active leasequery too; serving plain TCP
/// where TLS was configured would expose lease data).
/// </summary>
internal sealed record BulkLeaseQueryOptions
{
    public bool BulkQueryEnabled { get; init; }

    /// <summary>Kea's default: as <see cref="BulkQueryEnabled"/>. Pukeko's stores answer relay-id and remote-id queries by scanning, so this only gates those queries as Kea does.</summary>
    public bool ExtendedInfoTablesEnabled { get; init; }

    public Ipv6Address LeaseQueryIp { get; init; } = Ipv6Address.Parse("::1");

    public ushort LeaseQueryTcpPort { get; init; } = 547;

    /// <summary>Accepted for compatibility: queries run on the thread pool.</summary>
    public int MaxBulkQueryThreads { get; init; }

    public int MaxRequesterConnections { get; init; } = 10;

    /// <summary>Queries in progress per connection at once; 0 means no limit (further queries wait their turn).</summary>
    public int MaxConcurrentQueries { get; init; }

    /// <summary>Seconds a connection may stay silent before it is closed.</summary>
    public int MaxRequesterIdleTime { get; init; } = 300;

    /// <summary>Leases read from the store per fetch.</summary>
    public int MaxLeasesPerFetch { get; init; } = 100;

    private static readonly Dictionary<string, JsonValueKind[]> Keys = new(StringComparer.Ordinal)
    {
        ["bulk-query-enabled"] = [JsonValueKind.True, JsonValueKind.False],
        ["active-query-enabled"] = [JsonValueKind.True, JsonValueKind.False],
        ["extended-info-tables-enabled"] = [JsonValueKind.True, JsonValueKind.False],
        ["lease-query-ip"] = [JsonValueKind.String],
        ["lease-query-tcp-port"] = [JsonValueKind.Number],
        ["max-bulk-query-threads"] = [JsonValueKind.Number],
        ["max-requester-connections"] = [JsonValueKind.Number],
        ["max-concurrent-queries"] = [JsonValueKind.Number],
        ["max-requester-idle-time"] = [JsonValueKind.Number],
        ["max-leases-per-fetch"] = [JsonValueKind.Number],
        ["trust-anchor"] = [JsonValueKind.String],
        ["cert-file"] = [JsonValueKind.String],
        ["key-file"] = [JsonValueKind.String],
        ["cert-required"] = [JsonValueKind.True, JsonValueKind.False],
        ["comment"] = [JsonValueKind.String],
    };

    public static BulkLeaseQueryOptions? Parse(JsonElement advanced, string path, Action<string, string> error)
    {
        if (advanced.ValueKind != JsonValueKind.Object)
        {
            error(path, "'advanced' must be a map");
            return null;
        }

        var ok = true;
        foreach (var property in advanced.EnumerateObject())
        {
            var at = $"{path}/{property.Name}";
            if (!Keys.TryGetValue(property.Name, out var kinds))
            {
                error(at, $"spurious '{property.Name}' parameter");
                ok = false;
            }
            else if (!kinds.Contains(property.Value.ValueKind) || property.Value.ValueKind == JsonValueKind.Number && !property.Value.TryGetInt64(out _))
            {
                error(at, $"'{property.Name}' must be {(kinds[0] == JsonValueKind.Number ? "an integer" : kinds[0] == JsonValueKind.String ? "a string" : "a boolean")}");
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        bool Flag(string key, bool fallback) => advanced.TryGetProperty(key, out var v) ? v.GetBoolean() : fallback;
        long? Number(string key) => advanced.TryGetProperty(key, out var v) ? v.GetInt64() : null;

        var options = new BulkLeaseQueryOptions();
        var bulk = Flag("bulk-query-enabled", false);
        options = options with { BulkQueryEnabled = bulk, ExtendedInfoTablesEnabled = Flag("extended-info-tables-enabled", bulk) };
        if (Flag("active-query-enabled", false))
        {
            error($"{path}/active-query-enabled", "Active query is not supported");
            ok = false;
        }

        foreach (var tls in new[] { "trust-anchor", "cert-file", "key-file", "cert-required" })
        {
            if (advanced.TryGetProperty(tls, out _))
            {
                error($"{path}/{tls}", "TLS for bulk leasequery is not built into Pukeko; remove the TLS keys to serve bulk leasequery over plain TCP");
                ok = false;
            }
        }

        if (advanced.TryGetProperty("lease-query-ip", out var ip))
        {
            if (!Ipv6Address.TryParse(ip.GetString(), out var address))
            {
                error($"{path}/lease-query-ip", $"invalid lease-query-ip '{ip.GetString()}': not an IPv6 address");
                ok = false;
            }
            else
            {
                options = options with { LeaseQueryIp = address };
            }
        }

        if (Number("lease-query-tcp-port") is { } port)
        {
            if (port is <= 0 or > ushort.MaxValue)
            {
                error($"{path}/lease-query-tcp-port", $"invalid lease-query-tcp-port '{port}'");
                ok = false;
            }
            else
            {
                options = options with { LeaseQueryTcpPort = (ushort)port };
            }
        }

        int Bounded(string key, long min, long max, int fallback)
        {
            if (Number(key) is not { } value)
            {
                return fallback;
            }

            if (value < min || value > max)
            {
                error($"{path}/{key}", $"invalid {key} '{value}'");
                ok = false;
                return fallback;
            }

            return (int)value;
        }

        options = options with
        {
            MaxBulkQueryThreads = Bounded("max-bulk-query-threads", 0, int.MaxValue, 0),
            MaxRequesterConnections = Bounded("max-requester-connections", 1, int.MaxValue, 10),
            MaxConcurrentQueries = Bounded("max-concurrent-queries", 0, int.MaxValue, 0),
            MaxRequesterIdleTime = Bounded("max-requester-idle-time", 1, int.MaxValue / 1000, 300),
            MaxLeasesPerFetch = Bounded("max-leases-per-fetch", 1, int.MaxValue, 100),
        };

        return ok ? options : null;
    }
}
