using Pukeko.Server.Configuration;

namespace Pukeko.Server.Allocation;

/// <summary>Lifetime and T1/T2 rules (digest §3.6; RFC 8415 §21.4, §21.21).</summary>
public static class LeaseTimers
{
    /// <summary>
    /// Preferred and valid lifetimes for a lease: client hints are honoured only within the
    /// configured [min, max]; a preferred lifetime of 0 or above the valid one is replaced by
    /// 5/8 of valid, because RFC 8415 §21.6 forbids preferred &gt; valid.
    /// </summary>
    public static (uint Preferred, uint Valid) Lifetimes(Subnet6 subnet, uint preferredHint, uint validHint)
    {
        var valid = subnet.ValidLifetime.Choose(validHint);
        var preferred = subnet.PreferredLifetime.Choose(preferredHint);
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
