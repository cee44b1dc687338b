using Pukeko.Protocol.Messages;
using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Allocation;

/// <summary>Lifetime and T1/T2 rules (digest §3.6; RFC 8415 §21.4, §21.21).</summary>
internal static class LeaseTimers
{
    /// <summary>
    /// Preferred and valid lifetimes for a lease: client hints are honoured only within the
    /// configured [min, max]; a preferred lifetime of 0 or above the valid one is replaced by
    /// 5/8 of valid, because RFC 8415 §21.6 forbids preferred &gt; valid.
    /// </summary>
    public static (uint Preferred, uint Valid) Lifetimes(Subnet6 subnet, uint preferredHint, uint validHint) =>
        Lifetimes(subnet, null, null, preferredHint, validHint);

    /// <summary>
    /// As above, but the first client class (in packet order) that defines a lifetime provides it instead of the
    /// subnet (digest §3.6); preferred and valid are looked up independently.
    /// </summary>
    public static (uint Preferred, uint Valid) Lifetimes(Subnet6 subnet, ClientClassSet? classes, PacketClassifier? classifier, uint preferredHint, uint validHint)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        Lifetime? classValid = null;
        Lifetime? classPreferred = null;
        if (classes is not null && classifier is not null)
        {
            for (var i = 0; i < classes.Count; i++)
            {
                if (classifier.Find(classes[i]) is not { } definition)
                {
                    continue;
                }

                classValid ??= definition.ValidLifetime;
                classPreferred ??= definition.PreferredLifetime;
            }
        }

        var valid = (classValid ?? subnet.ValidLifetime).Choose(validHint);
        var preferred = (classPreferred ?? subnet.PreferredLifetime).Choose(preferredHint);
        if (preferred == 0 || preferred > valid)
        {
            preferred = (uint)((ulong)valid * 5 / 8);
        }

        return (preferred, valid);
    }

    /// <summary>
    /// T1/T2 from the shortest preferred lifetime of the IA: configured timers win, else
    /// percentages when <c>calculate-tee-times</c>; T1 ≥ T2 sets T1 to 0 (the client picks).
    /// </summary>
    public static (uint T1, uint T2) TeeTimes(Subnet6 subnet, uint preferred)
    {
        uint t2 = 0;
        uint t1 = 0;
        if (preferred == Leases.Lease6.InfiniteLifetime)
        {
            // RFC 8415 §14.2: infinite lifetimes mean infinite timers unless configured.
            t2 = subnet.RebindTimer ?? Leases.Lease6.InfiniteLifetime;
            t1 = subnet.RenewTimer ?? Leases.Lease6.InfiniteLifetime;
        }
        else
        {
            if (subnet.RebindTimer is { } rebind)
            {
                t2 = rebind;
            }
            else if (subnet.CalculateTeeTimes)
            {
                t2 = (uint)Math.Round(subnet.T2Percent * preferred, MidpointRounding.AwayFromZero);
            }

            if (subnet.RenewTimer is { } renew)
            {
                t1 = renew;
            }
            else if (subnet.CalculateTeeTimes)
            {
                t1 = (uint)Math.Round(subnet.T1Percent * preferred, MidpointRounding.AwayFromZero);
            }
        }

        if (t2 > 0 && t1 >= t2)
        {
            t1 = 0;
        }

        return (t1, t2);
    }
}
