using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The <c>leases6_committed</c> arguments, read from the packet's lease changes (the change feed of its
/// transaction): <c>leases6</c> holds each lease the packet granted, extended or declined, in its final form, in the
/// order first written; <c>deleted_leases6</c> holds what it released or removed, and the expired lease of another
/// client it took over.
/// </summary>
internal static class CommittedLeases
{
    public static (List<Lease6> Leases, List<Lease6> Deleted) Of(IReadOnlyList<LeaseChange>? changes)
    {
        var leases = new List<Lease6>();
        var deleted = new List<Lease6>();
        foreach (var change in changes ?? [])
        {
            if (change.New is { State: LeaseState.Default or LeaseState.Declined } granted)
            {
                var index = leases.FindIndex(l => l.Address == granted.Address);
                if (index >= 0)
                {
                    leases[index] = granted; // amended later in the same packet (a generated host name)
                }
                else
                {
                    leases.Add(granted);
                }
            }

            var takenOver = change.Reason == LeaseChangeReason.Allocated && change.Old is not null;
            if (change.Old is { } old && (change.New is null || change.New.State == LeaseState.Released || takenOver))
            {
                deleted.Add(old);
            }
        }

        return (leases, deleted);
    }
}
