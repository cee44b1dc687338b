using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The IA_NA and IA Address options a query's reply is built from, kept with the <see cref="ProcessingContext"/>
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

    /// <summary>An IA_NA option with no sub-options, for this query's reply.</summary>
    public IaNaOption IaNa(uint iaid, uint t1, uint t2)
    {
        IaNaOption option;
        if (_freeIaNa is { Count: > 0 } free)
        {
            option = free[^1];
            free.RemoveAt(free.Count - 1);
            option.Iaid = iaid;
            option.T1 = t1;
            option.T2 = t2;
        }
        else
        {
            option = new IaNaOption(iaid, t1, t2);
        }

        (_issuedIaNa ??= []).Add(option);
        return option;
    }

    /// <summary>An IA Address option with no sub-options, for this query's reply.</summary>
    public IaAddressOption IaAddress(Ipv6Address address, uint preferredLifetime, uint validLifetime)
    {
        IaAddressOption option;
        if (_freeAddresses is { Count: > 0 } free)
        {
            option = free[^1];
            free.RemoveAt(free.Count - 1);
            option.Address = address;
            option.PreferredLifetime = preferredLifetime;
            option.ValidLifetime = validLifetime;
        }
        else
        {
            option = new IaAddressOption(address, preferredLifetime, validLifetime);
        }

        (_issuedAddresses ??= []).Add(option);
        return option;
    }

    /// <summary>
    /// Ends the query: with <paramref name="reusable"/> the options handed out become free again, emptied; otherwise
    /// they are forgotten (someone outside the pipeline may hold them).
    /// </summary>
    public void EndQuery(bool reusable)
    {
        if (_issuedIaNa is { Count: > 0 } iaNa)
        {
            if (reusable)
            {
                foreach (var option in iaNa)
                {
                    option.Options.Clear();
                }

                (_freeIaNa ??= []).AddRange(iaNa);
            }

            iaNa.Clear();
        }

        if (_issuedAddresses is { Count: > 0 } addresses)
        {
            if (reusable)
            {
                foreach (var option in addresses)
                {
                    // Made only if a status code was added: an address option mostly has none.
                    if (option.Options.Count > 0)
                    {
                        option.Options.Clear();
                    }
                }

                (_freeAddresses ??= []).AddRange(addresses);
            }

            addresses.Clear();
        }

        Trim(_freeIaNa);
        Trim(_freeAddresses);
    }

    /// <summary>A query with an unusual number of IAs does not make every later one keep that many.</summary>
    private static void Trim<T>(List<T>? free)
    {
        if (free is { Count: > ListRental<T>.MaxKeptCapacity })
        {
            free.RemoveRange(ListRental<T>.MaxKeptCapacity, free.Count - ListRental<T>.MaxKeptCapacity);
        }
    }
}
