using System.Globalization;
using System.Text.Json;

namespace Pukeko.Server.BuiltIn.Limits;

/// <summary>
/// The limits Kea's limits library reads from the <c>user-context</c> of client classes and subnets
/// (<c>"user-context": { "limits": { "rate-limit": "10 packets per second" } }</c>), checked with the JSON path of
/// each value. A rate limit on a template class applies to each class it spawns separately (Kea keys the window by the
/// spawned class), which is how one client's packets are limited on their own.
/// </summary>
internal sealed class LimitsConfiguration
{
    private const string LimitsKey = "limits";
    private const string RateKey = "rate-limit";

    /// <summary>No limits at all.</summary>
    public static LimitsConfiguration Empty { get; } = new([], [], [], [], []);

    private LimitsConfiguration(
        Dictionary<string, RateLimit> classRates,
        Dictionary<string, RateLimit> templateRates,
        Dictionary<uint, RateLimit> subnetRates,
        Dictionary<uint, uint> subnetAddressLimits,
        Dictionary<uint, uint> subnetPrefixLimits)
    {
        ClassRates = classRates;
        TemplateRates = templateRates;
        SubnetRates = subnetRates;
        SubnetAddressLimits = subnetAddressLimits;
        SubnetPrefixLimits = subnetPrefixLimits;
    }

    /// <summary>Rate limits of classes with a <c>test</c> (or none): one window per class.</summary>
    public IReadOnlyDictionary<string, RateLimit> ClassRates { get; }

    /// <summary>Rate limits of template classes: one window per class each spawns.</summary>
    public IReadOnlyDictionary<string, RateLimit> TemplateRates { get; }

    /// <summary>Rate limits of subnets, by subnet id.</summary>
    public IReadOnlyDictionary<uint, RateLimit> SubnetRates { get; }

    /// <summary><c>address-limit</c> of subnets, by subnet id: the most addresses leased in the subnet at once.</summary>
    public IReadOnlyDictionary<uint, uint> SubnetAddressLimits { get; }

    /// <summary><c>prefix-limit</c> of subnets, by subnet id: the most prefixes delegated from the subnet at once.</summary>
    public IReadOnlyDictionary<uint, uint> SubnetPrefixLimits { get; }

    public bool IsEmpty => ClassRates.Count == 0 && TemplateRates.Count == 0 && SubnetRates.Count == 0
        && SubnetAddressLimits.Count == 0 && SubnetPrefixLimits.Count == 0;

    /// <summary>
    /// Reads the limits from <paramref name="document"/> (the whole configuration, or its <c>Dhcp6</c> map).
    /// <paramref name="subnetId"/> gives the id of a subnet written without one, from its <c>subnet</c> text.
    /// Problems go to <paramref name="error"/> with their JSON path; null is returned when there was any.
    /// </summary>
    public static LimitsConfiguration? Parse(JsonElement document, Func<string, uint?> subnetId, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(subnetId);
        ArgumentNullException.ThrowIfNull(error);
        var path = "Dhcp6";
        var dhcp6 = document;
        if (document.ValueKind == JsonValueKind.Object && document.TryGetProperty("Dhcp6", out var inner))
        {
            dhcp6 = inner;
        }

        var ok = true;
        void Fail(string at, string message)
        {
            ok = false;
            error(at, message);
        }

        var classRates = new Dictionary<string, RateLimit>(StringComparer.Ordinal);
        var templateRates = new Dictionary<string, RateLimit>(StringComparer.Ordinal);
        var subnetRates = new Dictionary<uint, RateLimit>();
        var subnetAddressLimits = new Dictionary<uint, uint>();
        var subnetPrefixLimits = new Dictionary<uint, uint>();
        if (dhcp6.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        foreach (var (item, itemPath) in Items(dhcp6, "client-classes", path))
        {
            if (Read(item, itemPath, leaseLimits: false, Fail).Rate is not { } rate || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var target = item.TryGetProperty("template-test", out _) ? templateRates : classRates;
            target[name.GetString()!] = rate;
        }

        void Subnets(JsonElement parent, string parentPath)
        {
            foreach (var (item, itemPath) in Items(parent, "subnet6", parentPath))
            {
                var (rate, addresses, prefixes) = Read(item, itemPath, leaseLimits: true, Fail);
                if (rate is null && addresses is null && prefixes is null)
                {
                    continue;
                }

                uint? id = item.TryGetProperty("id", out var idValue) && idValue.TryGetUInt32(out var written) ? written
                    : item.TryGetProperty("subnet", out var prefix) && prefix.ValueKind == JsonValueKind.String ? subnetId(prefix.GetString()!)
                    : null;
                if (id is not { } known)
                {
                    continue;
                }

                if (rate is not null)
                {
                    subnetRates[known] = rate;
                }

                if (addresses is { } a)
                {
                    subnetAddressLimits[known] = a;
                }

                if (prefixes is { } p)
                {
                    subnetPrefixLimits[known] = p;
                }
            }
        }

        Subnets(dhcp6, path);
        foreach (var (network, networkPath) in Items(dhcp6, "shared-networks", path))
        {
            Subnets(network, networkPath);
        }

        return ok ? new LimitsConfiguration(classRates, templateRates, subnetRates, subnetAddressLimits, subnetPrefixLimits) : null;
    }

    private static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement map, string key, string path)
    {
        if (map.ValueKind != JsonValueKind.Object || !map.TryGetProperty(key, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            yield return (item, $"{path}/{key}[{index.ToString(CultureInfo.InvariantCulture)}]");
            index++;
        }
    }

    /// <summary>
    /// The limits in the element's <c>user-context/limits</c>; nulls for those absent or wrong (reported). Lease limits
    /// are taken from subnets only: Kea's class lease limits need a lease count per class, which Pukeko does not keep.
    /// </summary>
    private static (RateLimit? Rate, uint? Addresses, uint? Prefixes) Read(JsonElement element, string path, bool leaseLimits, Action<string, string> error)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("user-context", out var context) || context.ValueKind != JsonValueKind.Object
            || !context.TryGetProperty(LimitsKey, out var limits))
        {
            return default;
        }

        var limitsPath = $"{path}/user-context/{LimitsKey}";
        if (limits.ValueKind != JsonValueKind.Object)
        {
            error(limitsPath, $"the limits must be a map, got {Kind(limits)}");
            return default;
        }

        uint? LeaseLimit(string key)
        {
            if (!limits.TryGetProperty(key, out var value))
            {
                return null;
            }

            if (!leaseLimits)
            {
                // Refused rather than ignored: a configuration relying on it would hand out more leases than intended.
                error($"{limitsPath}/{key}", $"{key} of a client class is not supported by Pukeko's built-in limits library (of a subnet it is)");
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var limit))
            {
                error($"{limitsPath}/{key}", $"the {key} must be an integer, got {Kind(value)}");
                return null;
            }

            if (limit is < 0 or > uint.MaxValue)
            {
                error($"{limitsPath}/{key}", limit < 0
                    ? $"expected positive limit configured, got negative limit {limit}"
                    : $"expected limit in range [0, {uint.MaxValue}], got limit {limit}");
                return null;
            }

            return (uint)limit;
        }

        var addresses = LeaseLimit("address-limit");
        var prefixes = LeaseLimit("prefix-limit");
        if (!limits.TryGetProperty(RateKey, out var value))
        {
            return (null, addresses, prefixes);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error($"{limitsPath}/{RateKey}", $"the rate-limit must be a string such as \"10 packets per second\", got {Kind(value)}");
            return (null, addresses, prefixes);
        }

        var rate = RateLimit.TryParse(value.GetString()!, out var problem);
        if (rate is null)
        {
            error($"{limitsPath}/{RateKey}", problem!);
        }

        return (rate, addresses, prefixes);
    }

    private static string Kind(JsonElement value) => Configuration.Parsing.ParseContext.KindName(value.ValueKind);
}
