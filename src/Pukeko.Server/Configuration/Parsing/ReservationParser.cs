using System.Text;
using System.Text.Json;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>reservations</c> lists (global, or of a subnet with <paramref name="subnet"/> for range checks).
/// Each entry needs exactly one identifier, used once per subnet; reserved addresses must lie in the subnet. With
/// <c>ip-reservations-unique</c> true (Kea's default) an address or delegated prefix may be reserved only once per
/// subnet; with false several hosts may reserve it.
/// </summary>
internal static class ReservationParser
{
    private static readonly KeyTable<ReservationDraft> Keys = new KeyTable<ReservationDraft>("reservations")
        .On("duid", (d, v, p, c) => ParseIdentifier(d, v, p, c, HostIdentifierType.Duid))
        .On("hw-address", (d, v, p, c) => ParseIdentifier(d, v, p, c, HostIdentifierType.HwAddress))
        .On("flex-id", (d, v, p, c) => ParseIdentifier(d, v, p, c, HostIdentifierType.FlexId))
        .On("ip-addresses", (d, v, p, c) =>
        {
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                if (c.TryString(item, itemPath, out var s))
                {
                    if (Ipv6Address.TryParse(s.Trim(), out var address))
                    {
                        d.IpAddresses.Add((address, itemPath));
                    }
                    else if (System.Net.IPAddress.TryParse(s.Trim(), out var other) && other.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    {
                        // Kea's wording for an IPv4 address in an IPv6 reservation.
                        c.Error(itemPath, $"invalid prefix '{s}' for new IPv6 reservation");
                    }
                    else
                    {
                        c.Error(itemPath, $"Failed to convert string to address '{s}': Invalid argument");
                    }
                }
            }
        })
        .On("prefixes", (d, v, p, c) =>
        {
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                if (c.TryString(item, itemPath, out var s))
                {
                    if (Ipv6Prefix.TryParse(s.Trim(), out var prefix, out var error))
                    {
                        d.Prefixes.Add((prefix, itemPath));
                    }
                    else
                    {
                        c.Error(itemPath, $"invalid prefix '{s}': {error}");
                    }
                }
            }
        })
        .On("user-context", (d, v, p, c) => d.UserContext = ParseContext.UserContextText(v))
        .On("hostname", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Hostname = s.Length == 0 ? null : s;
            }
        })
        .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c))
        .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseNameList(v, p, c))
        .On("excluded-prefixes", (d, v, p, c) =>
        {
            d.ExcludedPrefixesPath = p;
            d.ExcludedPrefixes = [];
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                if (c.TryString(item, itemPath, out var s))
                {
                    d.ExcludedPrefixes.Add((s.Trim(), itemPath));
                }
            }
        });

    public static void ParseList(JsonElement list, string path, Subnet6Scope scope, List<HostReservation> into, ParseContext context)
    {
        var identifiers = new Dictionary<(HostIdentifierType, string), string>();
        var addresses = new Dictionary<Ipv6Address, string>();
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new ReservationDraft(itemPath);
            var errorsBefore = context.Errors.Count;
            if (!Keys.Walk(item, itemPath, draft, context, key => key is "client-id" or "circuit-id"
                    ? $"identifier '{key}' is not supported by DHCPv6 reservations"
                    : $"unknown parameter '{key}' in reservations"))
            {
                continue;
            }

            if (draft.Identifiers.Count != 1)
            {
                context.Error(itemPath, draft.Identifiers.Count == 0
                    ? "reservation needs one identifier: duid, hw-address or flex-id"
                    : "reservation must have exactly one identifier");
                continue;
            }

            var (type, value, identifierPath) = draft.Identifiers[0];
            if (!identifiers.TryAdd((type, Convert.ToHexString(value)), itemPath))
            {
                context.Error(identifierPath, $"duplicate reservation for {HostIdentifierNames.ToKeaName(type)} {HexText.Format(value)} (also at {identifiers[(type, Convert.ToHexString(value))]})");
            }

            foreach (var (address, addressPath) in draft.IpAddresses)
            {
                if (scope.Prefix is { } prefix && !prefix.Contains(address))
                {
                    context.Error(addressPath, $"specified reservation '{address}' is not within the IPv6 subnet '{prefix}'");
                }
                else
                {
                    CheckUnique(address, $"address {address}", addressPath, itemPath, addresses, context);
                }
            }

            foreach (var (prefix, prefixPath) in draft.Prefixes)
            {
                CheckUnique(prefix.Address, $"prefix {prefix}", prefixPath, itemPath, addresses, context);
            }

            var excluded = ParseExcludedPrefixes(draft, context);
            if (context.Errors.Count != errorsBefore)
            {
                continue;
            }

            into.Add(new HostReservation
            {
                IdentifierType = type,
                Identifier = value,
                SubnetId = scope.SubnetId,
                IpAddresses = [.. draft.IpAddresses.Select(a => a.Address)],
                Prefixes = [.. draft.Prefixes.Select(p => p.Prefix)],
                ExcludedPrefixes = excluded,
                Hostname = draft.Hostname,
                Options = draft.Options,
                ClientClasses = draft.ClientClasses,
                UserContext = draft.UserContext,
            });
        }
    }

    /// <summary>
    /// With <c>ip-reservations-unique</c> true, an address or prefix already reserved in this list is refused. As in
    /// Kea's CfgHosts, addresses and prefixes share one index keyed by the (first) address.
    /// </summary>
    private static void CheckUnique(Ipv6Address key, string text, string path, string hostPath, Dictionary<Ipv6Address, string> reserved, ParseContext context)
    {
        if (context.IpReservationsUnique && !reserved.TryAdd(key, hostPath))
        {
            context.Error(path, $"{text} is already reserved by {reserved[key]}; there is already a reservation for this address/prefix (ip-reservations-unique is true)");
        }
    }

    /// <summary>
    /// <c>excluded-prefixes</c>: one entry per reserved prefix, in the same order ("" excludes nothing); each must be
    /// longer than its reserved prefix and lie inside it (RFC 6603 §4.2), as Kea checks.
    /// </summary>
    private static Dictionary<Ipv6Prefix, Ipv6Prefix> ParseExcludedPrefixes(ReservationDraft draft, ParseContext context)
    {
        var result = new Dictionary<Ipv6Prefix, Ipv6Prefix>();
        if (draft.ExcludedPrefixes is not { } excluded)
        {
            return result;
        }

        if (draft.Prefixes.Count == 0)
        {
            context.Error(draft.ExcludedPrefixesPath!, "'excluded-prefixes' parameter requires the 'prefixes' parameter");
            return result;
        }

        if (excluded.Count != draft.Prefixes.Count)
        {
            context.Error(draft.ExcludedPrefixesPath!, $"'excluded-prefixes' parameter does not match the 'prefixes' parameter: {excluded.Count} != {draft.Prefixes.Count}");
            return result;
        }

        for (var i = 0; i < excluded.Count; i++)
        {
            var (text, path) = excluded[i];
            if (text.Length == 0)
            {
                continue;
            }

            var reserved = draft.Prefixes[i].Prefix;
            if (!text.Contains('/', StringComparison.Ordinal))
            {
                context.Error(path, $"exclude prefix requires prefix length be specified in '{text}'");
            }
            else if (!Ipv6Prefix.TryParse(text, out var prefix, out var error))
            {
                context.Error(path, $"invalid excluded prefix '{text}': {error}");
            }
            else if (prefix.Length <= reserved.Length)
            {
                context.Error(path, $"length of the excluded prefix {text} must be greater than the length of the delegated prefix {reserved}");
            }
            else if (!reserved.Contains(prefix.Address))
            {
                context.Error(path, $"excluded prefix {text} must have the same common prefix part of {reserved.Length} as the delegated prefix {reserved}");
            }
            else
            {
                result[reserved] = prefix;
            }
        }

        return result;
    }

    /// <summary><c>host-reservation-identifiers</c>: hw-address, duid, flex-id, each at most once.</summary>
    public static List<HostIdentifierType> ParseIdentifierTypes(JsonElement list, string path, ParseContext context)
    {
        var types = new List<HostIdentifierType>();
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            if (!context.TryString(item, itemPath, out var name))
            {
                continue;
            }

            if (!HostIdentifierNames.TryParse(name, out var type))
            {
                context.Error(itemPath, $"unsupported identifier '{name}' (DHCPv6 supports hw-address, duid, flex-id)");
            }
            else if (types.Contains(type))
            {
                context.Error(itemPath, $"identifier '{name}' listed twice");
            }
            else
            {
                types.Add(type);
            }
        }

        if (types.Count == 0 && context.Errors.Count == 0)
        {
            context.Error(path, "host-reservation-identifiers must not be empty");
        }

        return types;
    }

    /// <summary>An identifier's bytes as a reservation writes them: hex bytes, or for a flex-id also 'text' in single quotes.</summary>
    public static bool TryDecodeIdentifier(HostIdentifierType type, string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        text = text.Trim();
        if (type == HostIdentifierType.FlexId && text.Length >= 2 && text[0] == '\'' && text[^1] == '\'')
        {
            // Kea: a flex-id in single quotes is the text itself.
            bytes = Encoding.UTF8.GetBytes(text[1..^1]);
            return true;
        }

        return HexText.TryParse(text, out bytes);
    }

    private static void ParseIdentifier(ReservationDraft draft, JsonElement value, string path, ParseContext context, HostIdentifierType type)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        text = text.Trim();
        if (!TryDecodeIdentifier(type, text, out var bytes))
        {
            context.Error(path, $"invalid {HostIdentifierNames.ToKeaName(type)} '{text}': expected hex bytes like 01:02:03");
            return;
        }

        if (bytes.Length == 0)
        {
            context.Error(path, $"empty {HostIdentifierNames.ToKeaName(type)}");
            return;
        }

        draft.Identifiers.Add((type, bytes, path));
    }
}
