using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Allocation;

/// <summary>
/// <c>store-extended-info</c>: the relays a query came through, kept in the lease's user context under
/// <c>ISC.relay-info</c> in the form Kea writes since 2.4 (and Kea's lease query and extended-info tables read):
/// one map per relay, outermost first, with <c>hop</c>, <c>link</c>, <c>peer</c>, the relay's options as
/// <c>0x</c>-prefixed hex and, when the relay added them, the Remote-ID and Relay-ID option data as hex. Other
/// keys of the context and of its <c>ISC</c> map are kept.
/// </summary>
internal static class LeaseRelayInfo
{
    public const string Key = "relay-info";

    /// <summary>
    /// Records the relays of <paramref name="query"/> in <paramref name="lease"/>'s user context; true when that
    /// changed what the lease holds (Kea then writes the lease rather than reuse it from the cache).
    /// </summary>
    public static bool Update(Lease6 lease, Dhcp6Packet query)
    {
        if (!query.IsRelayed)
        {
            return false;
        }

        var relays = new JsonArray();
        foreach (var relay in query.Relays)
        {
            relays.Add(Describe(relay));
        }

        var context = Parse(lease.UserContext) as JsonObject ?? [];
        if (context["ISC"] is not JsonObject isc)
        {
            isc = [];
        }

        // Compared as Kea's text: the old value may come from a lease file, with other number and string nodes.
        if (isc[Key] is { } old && CommandJson.SerializeSorted(old) == CommandJson.SerializeSorted(relays))
        {
            return false;
        }

        context.Remove("ISC");
        isc.Remove(Key);
        isc[Key] = relays;
        context["ISC"] = isc;
        lease.UserContext = CommandJson.SerializeSorted(context);
        return true;
    }

    private static JsonObject Describe(RelayLayer relay)
    {
        var entry = new JsonObject
        {
            ["hop"] = relay.HopCount,
            ["link"] = relay.LinkAddress.ToString(),
            ["peer"] = relay.PeerAddress.ToString(),
        };
        if (relay.Options.Count == 0)
        {
            return entry;
        }

        // Kea keeps a relay's options in a map ordered by code and packs them in that order; equal codes keep
        // their order of arrival.
        var ordered = relay.Options.OrderBy(o => o.Code).ToList();
        var packed = new byte[ordered.Sum(o => o.TotalLength)];
        var at = 0;
        foreach (var option in ordered)
        {
            at += option.WriteTo(packed.AsSpan(at));
        }

        if (packed.Length > 0)
        {
            entry["options"] = "0x" + Convert.ToHexString(packed);
        }

        AddIdentifiers(entry, relay.Options);
        return entry;
    }

    /// <summary>
    /// Adds the data of the relay's (first) Remote-ID and Relay-ID options as <c>remote-id</c> and <c>relay-id</c> hex,
    /// when present and not empty; also used when the Kea 2.2 form is upgraded.
    /// </summary>
    public static void AddIdentifiers(JsonObject entry, OptionCollection relayOptions)
    {
        AddIdentifier(entry, "remote-id", relayOptions.Get(OptionCode.RemoteId));
        AddIdentifier(entry, "relay-id", relayOptions.Get(OptionCode.RelayId));
    }

    private static void AddIdentifier(JsonObject entry, string key, DhcpOption? option)
    {
        if (option is { DataLength: > 0 })
        {
            entry[key] = Convert.ToHexString(option.GetData());
        }
    }

    /// <summary>The stored context, or null when there is none or it is not JSON (Kea then starts from an empty map).</summary>
    private static JsonNode? Parse(string? userContext)
    {
        if (string.IsNullOrEmpty(userContext))
        {
            return null;
        }

        try
        {
            return CommandJson.Parse(userContext);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
