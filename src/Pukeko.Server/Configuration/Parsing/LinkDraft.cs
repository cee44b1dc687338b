using System.Text;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// How relayed clients find a subnet or shared network: <c>interface-id</c> and <c>relay.ip-addresses</c>, as read.
/// </summary>
internal sealed class LinkDraft
{
    public byte[]? InterfaceId { get; set; }

    public string? InterfaceIdPath { get; set; }

    public List<Ipv6Address> RelayAddresses { get; } = [];

    public static void Register<TDraft>(KeyTable<TDraft> table, Func<TDraft, LinkDraft> select)
    {
        table.On("interface-id", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var text))
            {
                return;
            }

            if (text.Length == 0)
            {
                // Kea treats an empty interface-id as not given (its config-get even writes one out); a
                // shared network's value is then inherited.
                return;
            }

            // Kea compares the relay's Interface-ID option payload with the text's bytes.
            select(d).InterfaceId = Encoding.UTF8.GetBytes(text);
            select(d).InterfaceIdPath = p;
        });
        table.On("relay", (d, v, p, c) => ParseRelay(select(d), v, p, c));
    }

    private static readonly KeyTable<LinkDraft> RelayKeys = new KeyTable<LinkDraft>("relay")
        .On("ip-addresses", (d, v, p, c) =>
        {
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                AddAddress(d, item, itemPath, c);
            }
        })
        .On("ip-address", (d, v, p, c) => AddAddress(d, v, p, c));

    private static void ParseRelay(LinkDraft draft, System.Text.Json.JsonElement value, string path, ParseContext context)
    {
        if (value.TryGetProperty("ip-address", out _) && value.TryGetProperty("ip-addresses", out _))
        {
            context.Error(path, "specify either ip-address or ip-addresses, not both");
            return;
        }

        RelayKeys.Walk(value, path, draft, context);
    }

    private static void AddAddress(LinkDraft draft, System.Text.Json.JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        if (!Ipv6Address.TryParse(text.Trim(), out var address))
        {
            context.Error(path, $"relay address '{text}' is not a valid IPv6 address");
            return;
        }

        if (!draft.RelayAddresses.Contains(address))
        {
            draft.RelayAddresses.Add(address);
        }
    }
}
