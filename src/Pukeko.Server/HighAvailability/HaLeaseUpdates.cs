using System.Text.Json.Nodes;
using Pukeko.Server.Control;
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
        return BulkApply(leases, deleted);
    }

    /// <summary>The command for granted and deleted leases; null when both are empty.</summary>
    public static JsonObject? BulkApply(IReadOnlyList<Lease6> leases, IReadOnlyList<Lease6> deleted)
    {
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

    /// <summary>
    /// How a peer answered <c>lease6-bulk-apply</c>, read as Kea 2.3+ reads it: result 0 is success; 4 a conflict;
    /// 3 is success unless a failed lease carries result 1 (an error, which wins) or 4 (a conflict); anything else
    /// an error. <paramref name="reason"/> says why for the log.
    /// </summary>
    public static HaUpdateOutcome Classify(JsonObject answer, out string reason)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var result = ControlAnswer.ResultOf(answer);
        var text = answer["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        reason = text is null ? $"error code {result}" : $"{text} (error code {result})";
        switch (result)
        {
            case ControlResult.Success:
                return HaUpdateOutcome.Acknowledged;
            case ControlResult.Conflict:
                return HaUpdateOutcome.Conflict;
            case ControlResult.Empty:
                var conflict = false;
                foreach (var failed in (answer["arguments"]?["failed-leases"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (failed["result"] is not JsonValue r || !r.TryGetValue<int>(out var code))
                    {
                        continue;
                    }

                    var message = failed["error-message"] is JsonValue m && m.TryGetValue<string>(out var ms) ? ms : null;
                    if (code == ControlResult.Error)
                    {
                        reason = message is null ? $"error code {code}" : $"{message} (error code {code})";
                        return HaUpdateOutcome.Failed;
                    }

                    if (code == ControlResult.Conflict)
                    {
                        conflict = true;
                        reason = message is null ? $"error code {code}" : $"{message} (error code {code})";
                    }
                }

                return conflict ? HaUpdateOutcome.Conflict : HaUpdateOutcome.Acknowledged;
            default:
                return HaUpdateOutcome.Failed;
        }
    }
}

/// <summary>What became of one lease update sent to a peer.</summary>
internal enum HaUpdateOutcome
{
    /// <summary>The peer applied it (result 0, or 3 without errors or conflicts).</summary>
    Acknowledged,

    /// <summary>The peer refused it as conflicting with its configuration (result 4): the client is counted as rejected.</summary>
    Conflict,

    /// <summary>No answer, or an error: the partner counts as unavailable.</summary>
    Failed,
}
