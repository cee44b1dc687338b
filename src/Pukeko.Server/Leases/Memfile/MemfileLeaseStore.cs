using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>Memfile lease store (Kea-compatible CSV). Implementation in progress: API shape only.</summary>
public sealed class MemfileLeaseStore : ILeaseStore
{
    public MemfileLeaseStore(MemfileOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
    }

    public int Count => throw new NotImplementedException();

    public void Open() => throw new NotImplementedException();

    public Task RunLfcAsync(CancellationToken ct) => throw new NotImplementedException();

    public Lease6? Get(Ipv6Address address) => throw new NotImplementedException();

    public IReadOnlyList<Lease6> GetByClient(ReadOnlySpan<byte> duid, uint iaid, LeaseType type) => throw new NotImplementedException();

    public IReadOnlyList<Lease6> GetByDuid(ReadOnlySpan<byte> duid) => throw new NotImplementedException();

    public bool Add(Lease6 lease) => throw new NotImplementedException();

    public bool Update(Lease6 lease) => throw new NotImplementedException();

    public bool Delete(Lease6 lease) => throw new NotImplementedException();

    public IReadOnlyList<Lease6> GetExpired(long now, int max) => throw new NotImplementedException();

    public int DeleteExpiredReclaimed(long olderThan) => throw new NotImplementedException();

    public IReadOnlyList<Lease6> GetAll() => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
