using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses the <c>dhcp-ddns</c> map (Kea's D2 client configuration) with Kea's defaults and checks. The behavioural keys
/// Kea 2.2 still accepted here under their old names are moved to the global level when it does not set them.
/// </summary>
internal static class DhcpDdnsParser
{
    /// <summary>Old <c>dhcp-ddns</c> keys and the global keys they became (Kea 2.2 moves them; later versions reject them).</summary>
    private static readonly (string Old, string New)[] MovedKeys =
    [
        ("override-no-update", "ddns-override-no-update"),
        ("override-client-update", "ddns-override-client-update"),
        ("replace-client-name", "ddns-replace-client-name"),
        ("generated-prefix", "ddns-generated-prefix"),
        ("qualifying-suffix", "ddns-qualifying-suffix"),
        ("hostname-char-set", "hostname-char-set"),
        ("hostname-char-replacement", "hostname-char-replacement"),
    ];

    private sealed class Draft
    {
        public bool? EnableUpdates { get; set; }

        public IPAddress ServerIp { get; set; } = IPAddress.Loopback;

        public int ServerPort { get; set; } = DhcpDdnsConfig.DefaultServerPort;

        public IPAddress? SenderIp { get; set; }

        public int SenderPort { get; set; }

        public uint MaxQueueSize { get; set; } = DhcpDdnsConfig.DefaultMaxQueueSize;
    }

    private static readonly KeyTable<Draft> Keys = new KeyTable<Draft>("dhcp-ddns")

        // Kea 1.x's always-include-fqdn: gone since Kea 1.5, but Kea 2.x's config-set still takes a map that has
        // it (its command path does not check keys), and Forge's configurations carry it. Warned about, not used.
        .On("always-include-fqdn", (_, v, p, c) =>
        {
            if (c.TryBool(v, p, out bool _))
            {
                c.Warn(p, "'always-include-fqdn' in dhcp-ddns was removed in Kea 1.5 and is ignored");
            }
        })
        .On("enable-updates", (d, v, p, c) => { if (c.TryBool(v, p, out var b)) { d.EnableUpdates = b; } })
        .On("server-ip", (d, v, p, c) => { if (TryAddress(v, p, c, out var a)) { d.ServerIp = a; } })
        .On("server-port", (d, v, p, c) => { if (c.TryInteger(v, p, 0, ushort.MaxValue, out var x)) { d.ServerPort = (int)x; } })
        .On("sender-ip", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var text) && text.Length > 0 && TryAddress(v, p, c, out var a))
            {
                d.SenderIp = a;
            }
        })
        .On("sender-port", (d, v, p, c) => { if (c.TryInteger(v, p, 0, ushort.MaxValue, out var x)) { d.SenderPort = (int)x; } })
        .On("max-queue-size", (d, v, p, c) =>
        {
            // Kea's sender refuses an empty queue: nothing could ever be sent.
            if (c.TryUInt32(v, p, out var x))
            {
                if (x == 0)
                {
                    c.Error(p, "max-queue-size must be greater than zero");
                    return;
                }

                d.MaxQueueSize = x;
            }
        })
        .On("ncr-protocol", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            if (s == "TCP")
            {
                c.Error(p, "NCR Protocol: TCP is not supported (only UDP)");
            }
            else if (s != "UDP")
            {
                c.Error(p, $"invalid ncr-protocol '{s}' (expected UDP)");
            }
        })
        .On("ncr-format", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s) && s != "JSON")
            {
                c.Error(p, $"invalid ncr-format '{s}' (expected JSON)");
            }
        })
        .Ignore(MovedKeys.Select(k => k.Old));

    /// <summary>Reads <paramref name="value"/> (the <c>dhcp-ddns</c> map of <paramref name="dhcp6"/>) into <paramref name="global"/>.</summary>
    public static void Parse(GlobalDraft global, JsonElement dhcp6, JsonElement value, string path, ParseContext context)
    {
        var draft = new Draft();
        if (!Keys.Walk(value, path, draft, context))
        {
            return;
        }

        if (draft.EnableUpdates is not { } enable)
        {
            if (!value.TryGetProperty("enable-updates", out _))
            {
                context.Error(path, "missing mandatory parameter 'enable-updates'");
            }

            return;
        }

        var sender = draft.SenderIp ?? (draft.ServerIp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        if (sender.AddressFamily != draft.ServerIp.AddressFamily)
        {
            context.Error(ParseContext.Child(path, "sender-ip"), $"address family mismatch: server-ip {draft.ServerIp} and sender-ip {sender} must both be IPv4 or both IPv6");
            return;
        }

        if (sender.Equals(draft.ServerIp) && draft.SenderPort == draft.ServerPort)
        {
            context.Error(ParseContext.Child(path, "sender-ip"), $"server and sender cannot share the exact same IP address/port: {draft.ServerIp}/{draft.ServerPort}");
            return;
        }

        foreach (var (old, moved) in MovedKeys)
        {
            if (value.TryGetProperty(old, out var oldValue))
            {
                MoveToGlobal(global, dhcp6, old, moved, oldValue, ParseContext.Child(path, old), context);
            }
        }

        global.DhcpDdns = new DhcpDdnsConfig
        {
            EnableUpdates = enable,
            ServerIp = draft.ServerIp,
            ServerPort = draft.ServerPort,
            SenderIp = sender,
            SenderPort = draft.SenderPort,
            MaxQueueSize = draft.MaxQueueSize,
        };
    }

    /// <summary>A Kea 2.2 spelling inside <c>dhcp-ddns</c>: used as the global value unless the global level sets one.</summary>
    private static void MoveToGlobal(GlobalDraft global, JsonElement dhcp6, string old, string moved, JsonElement value, string path, ParseContext context)
    {
        if (dhcp6.TryGetProperty(moved, out _))
        {
            context.Warn(path, $"'{old}' in dhcp-ddns is deprecated and ignored: the global '{moved}' is set");
            return;
        }

        context.Warn(path, $"'{old}' in dhcp-ddns is deprecated; used as the global '{moved}'");
        DdnsDraft.Keys.TryHandle(moved, global.Ddns, value, path, context);
    }

    private static bool TryAddress(JsonElement value, string path, ParseContext context, out IPAddress address)
    {
        address = IPAddress.None;
        if (!context.TryString(value, path, out var text))
        {
            return false;
        }

        if (!IPAddress.TryParse(text.Trim(), out var parsed) || parsed is null)
        {
            context.Error(path, $"invalid address '{text}'");
            return false;
        }

        address = parsed;
        return true;
    }
}
