using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>
/// The <c>parameters</c> of Kea's lease query library (<c>libdhcp_lease_query.so</c>) for kea-dhcp6, parsed and
/// checked as Kea checks them: <c>requesters</c> (mandatory, addresses and CIDR prefixes), <c>prefix-lengths</c>,
/// <c>advanced</c> (bulk leasequery over TCP, RFC 5460) and <c>comment</c>. Any other key is an error, as in Kea.
/// </summary>
internal sealed record LeaseQueryOptions
{
    /// <summary>Who may ask.</summary>
    public required RequesterList Requesters { get; init; }

    /// <summary>
    /// The delegated lengths tried, longest first, when an address has no lease of its own (it may lie in a
    /// delegated prefix); null means "those of the configured PD pools", Kea's default.
    /// </summary>
    public IReadOnlyList<byte>? PrefixLengths { get; init; }

    /// <summary>The bulk leasequery service; null when <c>advanced</c> is absent.</summary>
    public BulkLeaseQueryOptions? Advanced { get; init; }

    private static readonly string[] Keys = ["requesters", "advanced", "comment", "prefix-lengths"];

    /// <summary>
    /// Reads <paramref name="parameters"/>; each problem goes to <paramref name="error"/> with the JSON path of the
    /// value (<paramref name="path"/> is that of <c>parameters</c>). Null when there was any.
    /// </summary>
    public static LeaseQueryOptions? Parse(JsonElement? parameters, string path, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (parameters is not { ValueKind: JsonValueKind.Object } map)
        {
            error(path, "the lease query library needs parameters with a 'requesters' list");
            return null;
        }

        var ok = true;
        foreach (var property in map.EnumerateObject())
        {
            if (!Keys.Contains(property.Name, StringComparer.Ordinal))
            {
                error($"{path}/{property.Name}", $"spurious '{property.Name}' parameter: the lease query library takes {string.Join(", ", Keys)}");
                ok = false;
            }
        }

        if (map.TryGetProperty("comment", out var comment) && comment.ValueKind != JsonValueKind.String)
        {
            error($"{path}/comment", "'comment' must be a string");
            ok = false;
        }

        RequesterList? requesters = null;
        if (!map.TryGetProperty("requesters", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            error(map.TryGetProperty("requesters", out _) ? $"{path}/requesters" : path, "'requesters' address list is missing or not a list");
            ok = false;
        }
        else
        {
            requesters = RequesterList.Parse(list, $"{path}/requesters", error);
            ok &= requesters is not null;
        }

        List<byte>? lengths = null;
        if (map.TryGetProperty("prefix-lengths", out var prefixLengths))
        {
            lengths = ParsePrefixLengths(prefixLengths, $"{path}/prefix-lengths", error);
            ok &= lengths is not null;
        }

        BulkLeaseQueryOptions? advanced = null;
        if (map.TryGetProperty("advanced", out var advancedMap))
        {
            advanced = BulkLeaseQueryOptions.Parse(advancedMap, $"{path}/advanced", error);
            ok &= advanced is not null;
        }

        return ok ? new LeaseQueryOptions { Requesters = requesters!, PrefixLengths = lengths, Advanced = advanced } : null;
    }

    private static List<byte>? ParsePrefixLengths(JsonElement list, string path, Action<string, string> error)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            error(path, "'prefix-lengths' is not a list");
            return null;
        }

        var lengths = new SortedSet<byte>();
        var index = 0;
        var ok = true;
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Number || !entry.TryGetInt64(out var length) || length is <= 0 or > 128)
            {
                error($"{path}[{index}]", $"'prefix-lengths' entry '{entry.GetRawText()}' is invalid: must be an integer greater than 0 and less than or equal to 128");
                ok = false;
            }
            else
            {
                lengths.Add((byte)length);
            }

            index++;
        }

        return ok ? [.. lengths.Reverse()] : null;
    }
}

/// <summary>The requesters a lease query is answered for: single addresses and CIDR prefixes (Kea's <c>requesters</c>).</summary>
internal sealed class RequesterList
{
    private readonly HashSet<Ipv6Address> _addresses;
    private readonly List<Ipv6Prefix> _prefixes;

    private RequesterList(HashSet<Ipv6Address> addresses, List<Ipv6Prefix> prefixes)
    {
        _addresses = addresses;
        _prefixes = prefixes;
    }

    /// <summary>How many entries the list has (Kea's bulk service keeps a connection slot back when there are several).</summary>
    public int Count => _addresses.Count + _prefixes.Count;

    public bool Contains(Ipv6Address address)
    {
        if (_addresses.Contains(address))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (prefix.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>For tests and tools: a list from text entries; throws on a wrong one.</summary>
    public static RequesterList Of(params string[] entries)
    {
        var json = JsonSerializer.SerializeToElement(entries);
        string? problem = null;
        return Parse(json, "requesters", (p, m) => problem ??= $"{p}: {m}") ?? throw new ArgumentException(problem, nameof(entries));
    }

    public static RequesterList? Parse(JsonElement list, string path, Action<string, string> error)
    {
        var addresses = new HashSet<Ipv6Address>();
        var prefixes = new List<Ipv6Prefix>();
        var ok = true;
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            if (entry.ValueKind != JsonValueKind.String)
            {
                error(at, $"'requesters' entry {entry.GetRawText()} must be a string");
                ok = false;
                continue;
            }

            var text = entry.GetString()!;
            if (!text.Contains('/', StringComparison.Ordinal))
            {
                if (!Ipv6Address.TryParse(text, out var address))
                {
                    error(at, $"'requesters' address entry '{text}' is invalid: not an IPv6 address");
                    ok = false;
                }
                else if (!addresses.Add(address))
                {
                    error(at, $"'requesters' address entry '{text}' is invalid: address is already in the list");
                    ok = false;
                }

                continue;
            }

            if (!Ipv6Prefix.TryParse(text, out var prefix, out var reason))
            {
                error(at, $"'requesters' CIDR entry '{text}' is invalid: {reason}");
                ok = false;
            }
            else if (prefixes.Contains(prefix))
            {
                error(at, $"'requesters' CIDR entry '{text}' is invalid: entry already exists");
                ok = false;
            }
            else
            {
                prefixes.Add(prefix);
            }
        }

        if (ok && addresses.Count == 0 && prefixes.Count == 0)
        {
            error(path, "'requesters' list cannot be empty");
            ok = false;
        }

        return ok ? new RequesterList(addresses, prefixes) : null;
    }
}
