using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>interfaces-config</c>.</summary>
internal static class InterfacesConfigParser
{
    private static readonly KeyTable<GlobalDraft> Keys = new KeyTable<GlobalDraft>("interfaces-config")
        .On("interfaces", ParseInterfaces)
        .On("re-detect", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.ReDetectInterfaces = b;
            }
        })
        .On("service-sockets-require-all", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.ServiceSocketsRequireAll = b;
            }
        })
        .On("service-sockets-max-retries", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.ServiceSocketsMaxRetries = x;
            }
        })
        .On("service-sockets-retry-wait-time", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.ServiceSocketsRetryWaitTime = x;
            }
        });

    public static void Parse(GlobalDraft draft, JsonElement value, string path, ParseContext context) =>
        Keys.Walk(value, path, draft, context);

    private static void ParseInterfaces(GlobalDraft draft, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            if (!context.TryString(item, itemPath, out var text))
            {
                continue;
            }

            if (!TryParseInterface(text, out var spec, out var error))
            {
                context.Error(itemPath, error);
            }
            else if (Duplicate(draft.Interfaces, spec) is { } duplicate)
            {
                context.Error(itemPath, duplicate);
            }
            else
            {
                draft.Interfaces.Add(spec);
            }
        }
    }

    /// <summary>Kea's rules for a list: the wildcard once, a bare name once, an address once per interface.</summary>
    private static string? Duplicate(List<InterfaceSpec> earlier, InterfaceSpec spec)
    {
        if (spec.IsWildcard)
        {
            return earlier.Exists(e => e.IsWildcard) ? $"the wildcard interface '{InterfaceSpec.Wildcard}' can only be specified once" : null;
        }

        if (spec.UnicastAddress is { } address)
        {
            return earlier.Exists(e => e.Name == spec.Name && e.UnicastAddress == address)
                ? $"must not select address '{address}' for interface '{spec.Name}' because this address is already selected"
                : null;
        }

        return earlier.Exists(e => e.Name == spec.Name && e.UnicastAddress is null) ? $"interface '{spec.Name}' has already been specified" : null;
    }

    /// <summary>"*", "eth0", or "eth0/2001:db8::1" (listen on eth0 and also accept unicast to that address).</summary>
    internal static bool TryParseInterface(string text, out InterfaceSpec spec, out string error)
    {
        spec = null!;
        error = "";
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? trimmed : trimmed[..slash].Trim();
        if (name.Length == 0)
        {
            error = $"invalid interface '{text}': empty interface name";
            return false;
        }

        if (slash < 0)
        {
            spec = new InterfaceSpec(name, null);
            return true;
        }

        var addressText = trimmed[(slash + 1)..].Trim();
        if (name == InterfaceSpec.Wildcard)
        {
            error = $"invalid interface '{text}': a unicast address needs an interface name, not '*'";
            return false;
        }

        if (!Ipv6Address.TryParse(addressText, out var address))
        {
            error = $"invalid interface '{text}': '{addressText}' is not a valid IPv6 address";
            return false;
        }

        if (address.IsMulticast || address.IsUnspecified)
        {
            error = $"invalid interface '{text}': {address} is not a unicast address";
            return false;
        }

        spec = new InterfaceSpec(name, address);
        return true;
    }
}
