using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Control.Commands;

/// <summary>A lease as Kea's lease commands show it (digest §5.3, <c>Lease6::toElement</c>).</summary>
internal static class LeaseJson
{
    public static string TypeName(LeaseType type) => type switch
    {
        LeaseType.PD => "IA_PD",
        LeaseType.TA => "IA_TA",
        _ => "IA_NA",
    };

    public static JsonObject ToJson(Lease6 lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var json = new JsonObject
        {
            ["cltt"] = lease.Cltt,
            ["duid"] = KeaHex.Format(lease.Duid),
            ["fqdn-fwd"] = lease.FqdnForward,
            ["fqdn-rev"] = lease.FqdnReverse,
            ["hostname"] = lease.Hostname,
        };
        if (lease.HardwareAddress is { Length: > 0 } hw)
        {
            json["hw-address"] = KeaHex.Format(hw);
        }

        json["iaid"] = lease.Iaid;
        json["ip-address"] = lease.Address.ToString();
        if (lease.PoolId != 0)
        {
            json["pool-id"] = lease.PoolId;
        }

        json["preferred-lft"] = lease.PreferredLifetime;
        if (lease.Type == LeaseType.PD)
        {
            json["prefix-len"] = lease.PrefixLength;
        }

        json["state"] = (uint)lease.State;
        json["subnet-id"] = lease.SubnetId;
        json["type"] = TypeName(lease.Type);
        if (lease.UserContext is { Length: > 0 } context)
        {
            try
            {
                // Through CommandJson: a hand-edited context may repeat a key, which a JsonNode from JsonNode.Parse
                // throws on when the answer is serialized, outside the dispatcher (found by fuzzing the lease file).
                using var document = JsonDocument.Parse(context);
                json["user-context"] = CommandJson.ToNode(document.RootElement);
            }
            catch (JsonException)
            {
                // A context that is not JSON (hand-edited lease file) is shown as text rather than failing the command.
                json["user-context"] = context;
            }
        }

        json["valid-lft"] = lease.ValidLifetime;
        return json;
    }

    public static JsonArray ToJson(IEnumerable<Lease6> leases) => [.. leases.Select(l => (JsonNode)ToJson(l))];
}
