using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The IA_NA, IA Address, IA_PD and IA Prefix options a query's reply is built from, kept with the <see cref="ProcessingContext"/>
/// (which a worker reuses) so that steady traffic builds its replies from the same few option objects.
/// </summary>
/// <remarks>
/// Only options handed out here come back, so a configured option shared by every reply never enters the free lists.
/// They come back only when the reply packet itself is reused (<see cref="PacketRecycler"/>): when a callout could
/// have kept the reply, its options are left to it.
/// </remarks>
internal struct ReplyOptionRental
{
    private List<IaNaOption>? _freeIaNa;
    private List<IaAddressOption>? _freeAddresses;
    private List<IaNaOption>? _issuedIaNa;
    private List<IaAddressOption>? _issuedAddresses;
    private List<IaPdOption>? _freeIaPd;
    private List<IaPrefixOption>? _freePrefixes;
    private List<IaPdOption>? _issuedIaPd;
    private List<IaPrefixOption>? _issuedPrefixes;

    /// <summary>An IA_NA option with no sub-options, for this query's reply.</summary>
    public IaNaOption IaNa(uint iaid, uint t1, uint t2)
    {
        var option = TakeFree(_freeIaNa);
        if (option is null)
        {
            option = new IaNaOption(iaid, t1, t2);
        }
        else
        {
            option.Iaid = iaid;
            option.T1 = t1;
            option.T2 = t2;
        }

        (_issuedIaNa ??= []).Add(option);
        return option;
    }

    /// <summary>An IA Address option with no sub-options, for this query's reply.</summary>
    public IaAddressOption IaAddress(Ipv6Address address, uint preferredLifetime, uint validLifetime)
    {
        var option = TakeFree(_freeAddresses);
        if (option is null)
        {
            option = new IaAddressOption(address, preferredLifetime, validLifetime);
        }
        else
        {
            option.Address = address;
            option.PreferredLifetime = preferredLifetime;
            option.ValidLifetime = validLifetime;
        }

        (_issuedAddresses ??= []).Add(option);
        return option;
    }

    /// <summary>An IA_PD option with no sub-options, for this query's reply.</summary>
    public IaPdOption IaPd(uint iaid, uint t1, uint t2)
    {
        var option = TakeFree(_freeIaPd);
        if (option is null)
        {
            option = new IaPdOption(iaid, t1, t2);
        }
        else
        {
            option.Iaid = iaid;
            option.T1 = t1;
            option.T2 = t2;
        }

        (_issuedIaPd ??= []).Add(option);
        return option;
    }

    /// <summary>An IA Prefix option with no sub-options, for this query's reply.</summary>
    public IaPrefixOption IaPrefix(uint preferredLifetime, uint validLifetime, byte prefixLength, Ipv6Address prefix)
    {
        var option = TakeFree(_freePrefixes);
        if (option is null)
        {
            option = new IaPrefixOption(preferredLifetime, validLifetime, prefixLength, prefix);
        }
        else
        {
            option.PreferredLifetime = preferredLifetime;
            option.ValidLifetime = validLifetime;
            option.PrefixLength = prefixLength;
            option.Prefix = prefix;
        }

        (_issuedPrefixes ??= []).Add(option);
        return option;
    }

    /// <summary>
    /// Ends the query: with <paramref name="reusable"/> the options handed out become free again, emptied; otherwise
    /// they are forgotten (someone outside the pipeline may hold them).
    /// </summary>
    public void EndQuery(bool reusable)
    {
        Return(_issuedIaNa, ref _freeIaNa, reusable, static option => option.Options);
        Return(_issuedAddresses, ref _freeAddresses, reusable, static option => option.Options);
        Return(_issuedIaPd, ref _freeIaPd, reusable, static option => option.Options);
        Return(_issuedPrefixes, ref _freePrefixes, reusable, static option => option.Options);
    }

    private static void Return<T>(List<T>? issued, ref List<T>? free, bool reusable, Func<T, OptionCollection> subOptions)
        where T : class
    {
        if (issued is { Count: > 0 })
        {
            if (reusable)
            {
                foreach (var option in issued)
                {
                    // An address or prefix option mostly has none, and clearing an empty collection is not free.
                    var options = subOptions(option);
                    if (options.Count > 0)
                    {
                        options.Clear();
                    }
                }

                (free ??= []).AddRange(issued);
            }

            issued.Clear();
        }

        Trim(free);
    }

    private static T? TakeFree<T>(List<T>? free)
        where T : class
    {
        if (free is not { Count: > 0 })
        {
            return null;
        }

        var option = free[^1];
        free.RemoveAt(free.Count - 1);
        return option;
    }

    /// <summary>A query with an unusual number of IAs does not make every later one keep that many.</summary>
    private static void Trim<T>(List<T>? free)
    {
        if (free is { Count: > RentalLimits.MaxKept })
        {
            free.RemoveRange(RentalLimits.MaxKept, free.Count - RentalLimits.MaxKept);
        }
    }
}
