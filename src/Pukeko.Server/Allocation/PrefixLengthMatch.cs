using Pukeko.Server.Configuration;

namespace Pukeko.Server.Allocation;

/// <summary>
/// How a prefix-delegation pool's delegated length must relate to the client's hinted length;
/// allocation tries Equal, then Lower, then Higher (digest §3.7, Kea's PrefixLenMatchType).
/// </summary>
internal enum PrefixLengthMatch
{
    Equal,
    Lower,
    Higher,
}

/// <summary>The pool test for each <see cref="PrefixLengthMatch"/>.</summary>
internal static class PrefixLengthMatches
{
    /// <summary>
    /// True when the pool may serve the hint under this match. A hint length of 0 or 128 (128
    /// makes no sense for a prefix) means "any length": every pool is acceptable.
    /// </summary>
    public static bool Accepts(this PrefixLengthMatch match, ILeasePool pool, byte hintLength)
    {
        if (pool is not PrefixPool prefixPool || hintLength is 0 or 128)
        {
            return true;
        }

        return match switch
        {
            PrefixLengthMatch.Equal => prefixPool.DelegatedLength == hintLength,
            PrefixLengthMatch.Lower => prefixPool.DelegatedLength < hintLength,
            _ => prefixPool.DelegatedLength > hintLength,
        };
    }
}
