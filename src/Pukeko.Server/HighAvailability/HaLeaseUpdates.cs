using System.Text.Json.Nodes;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// The <c>lease6-bulk-apply</c> command Kea 2.2's HA sends a peer for committed lease changes: <c>leases</c>
/// holds what was granted, extended or declined, <c>deleted-leases</c> what was released or removed (the split
/// of <c>leases6_committed</c>), each lease with <c>expire</c> (= cltt + valid-lft) in place of <c>cltt</c>.
/// </summary>
internal static class HaLeaseUpdates
{
    /// <summary>The command for <paramref name="changes"/>; null when they leave nothing to send.</summary>
    public static JsonObject? BulkApply(IReadOnlyList<LeaseChange> changes)
    {
        var (leases, deleted) = CommittedLeases.Of(changes);
        if (leases.Count == 0 && deleted.Count == 0)
        {
            return null;
        }

        return new JsonObject
        {
            ["arguments"] = new JsonObject
            {
                ["deleted-leases"] = new JsonArray([.. deleted.Select(l => (JsonNode)ToJson(l))]),
                ["leases"] = new JsonArray([.. leases.Select(l => (JsonNode)ToJson(l))]),
            },
            ["command"] = "lease6-bulk-apply",
            ["service"] = new JsonArray("dhcp6"),
        };
    }

    /// <summary>A lease as Kea 2.2's HA puts it into an update.</summary>
    public static JsonObject ToJson(Lease6 lease)
    {
        var json = LeaseJson.ToJson(lease);
        json.Remove("cltt");
        json.Remove("pool-id");
        json["expire"] = lease.Cltt + lease.ValidLifetime;
        return json;
    }
}
