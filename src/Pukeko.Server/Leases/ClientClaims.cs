namespace Pukeko.Server.Leases;

/// <summary>
/// Kea's client handler, shared by everything that changes a client's leases: the packet pipeline,
/// reclamation and the lease commands each hold the claim of the lease's DUID while they read and
/// write it, so a renewal and a reclamation of one lease never interleave. Striped: two clients may
/// share a stripe and then simply wait for each other.
/// </summary>
public sealed class ClientClaims
{
    private const int Stripes = 256;
    private readonly Lock[] _stripes = CreateStripes();

    private static Lock[] CreateStripes()
    {
        var stripes = new Lock[Stripes];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Lock();
        }

        return stripes;
    }

    /// <summary>Waits for and holds the claim of one DUID until the scope is disposed.</summary>
    public Lock.Scope Claim(ReadOnlySpan<byte> duid) => _stripes[StripeOf(duid)].EnterScope();

    /// <summary>
    /// Claims two DUIDs (a lease that changes hands: an operator's update, an address another
    /// client held): always in stripe order, so two such claims can't deadlock.
    /// </summary>
    public PairScope Claim(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var a = StripeOf(first);
        var b = StripeOf(second);
        if (a == b)
        {
            _stripes[a].Enter();
            return new PairScope(_stripes[a], null);
        }

        var (low, high) = a < b ? (a, b) : (b, a);
        _stripes[low].Enter();
        _stripes[high].Enter();
        return new PairScope(_stripes[high], _stripes[low]);
    }

    private static int StripeOf(ReadOnlySpan<byte> duid)
    {
        var hash = new HashCode();
        hash.AddBytes(duid);
        return (hash.ToHashCode() & int.MaxValue) % Stripes;
    }

    /// <summary>Releases the claims of <see cref="Claim(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, in reverse order.</summary>
    public readonly struct PairScope(Lock inner, Lock? outer) : IDisposable
    {
        public void Dispose()
        {
            inner.Exit();
            outer?.Exit();
        }
    }
}
