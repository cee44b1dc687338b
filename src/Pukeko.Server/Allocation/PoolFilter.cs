using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Which pools an allocator may pick from: those the packet's classes may use and that pass the prefix-length match.
/// A struct instead of a predicate delegate, so a pick allocates no closure.
/// </summary>
internal readonly struct PoolFilter(IReadOnlySet<string>? classes, PrefixLengthMatch match, byte hintLength)
{
    /// <summary>Every pool.</summary>
    public static PoolFilter All => default;

    public bool Allows(ILeasePool pool) =>
        (classes is null || pool is not IClassGated gated || gated.ClientSupported(classes)) && match.Accepts(pool, hintLength);
}
