namespace Pukeko.Server.Leases;

/// <summary>
/// Exclusive claims on clients' leases, shared by everything that changes them: the packet pipeline,
/// reclamation and the lease commands each hold the claim of the lease's DUID while they read and
/// write it, so a renewal and a reclamation of one lease never interleave. Striped: two clients may
/// share a stripe and then simply wait for each other.
/// </summary>
/// <remarks>
/// A stripe is a semaphore, not a lock: it belongs to no thread, so the pipeline may hold a claim
/// across an <c>await</c> (a database round trip), and everyone waits for it without blocking a thread.
/// </remarks>
internal sealed class ClientClaims
{
    private const int Stripes = 256;
    private readonly SemaphoreSlim[] _stripes = CreateStripes();

    private static SemaphoreSlim[] CreateStripes()
    {
        var stripes = new SemaphoreSlim[Stripes];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new SemaphoreSlim(1, 1);
        }

        return stripes;
    }

    /// <summary>Waits, without blocking a thread, for the claim of one DUID; dispose the scope to release it.</summary>
    public ValueTask<Scope> ClaimAsync(byte[] duid)
    {
        var stripe = _stripes[StripeOf(duid)];
        if (stripe.Wait(0))
        {
            return new ValueTask<Scope>(new Scope(stripe, null));
        }

        return WaitAsync(stripe);

        static async ValueTask<Scope> WaitAsync(SemaphoreSlim stripe)
        {
            await stripe.WaitAsync().ConfigureAwait(false);
            return new Scope(stripe, null);
        }
    }

    /// <summary>
    /// Claims two DUIDs (a lease that changes hands: an operator's update, an address another
    /// client held): always in stripe order, so two such claims can't deadlock.
    /// </summary>
    public async ValueTask<Scope> ClaimAsync(byte[] first, byte[] second)
    {
        var a = StripeOf(first);
        var b = StripeOf(second);
        if (a == b)
        {
            await _stripes[a].WaitAsync().ConfigureAwait(false);
            return new Scope(_stripes[a], null);
        }

        var (low, high) = a < b ? (a, b) : (b, a);
        await _stripes[low].WaitAsync().ConfigureAwait(false);
        try
        {
            await _stripes[high].WaitAsync().ConfigureAwait(false);
        }
        catch
        {
            _stripes[low].Release();
            throw;
        }

        return new Scope(_stripes[high], _stripes[low]);
    }

    private static int StripeOf(ReadOnlySpan<byte> duid)
    {
        var hash = new HashCode();
        hash.AddBytes(duid);
        return (hash.ToHashCode() & int.MaxValue) % Stripes;
    }

    /// <summary>A held claim (one or two stripes); disposing releases them in reverse order.</summary>
    public readonly struct Scope(SemaphoreSlim inner, SemaphoreSlim? outer) : IDisposable
    {
        public void Dispose()
        {
            inner.Release();
            outer?.Release();
        }
    }
}
