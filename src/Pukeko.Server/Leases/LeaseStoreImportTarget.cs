using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// <see cref="ILeaseImportTarget"/> over a store's ordinary reads and unit of work, lease by lease, for a store
/// without batches of its own (memfile). Its writes take effect one at a time, so a failed batch may leave part of
/// itself behind; a replacing rerun writes those leases again.
/// </summary>
internal sealed class LeaseStoreImportTarget(ILeaseStore store) : ILeaseImportTarget
{
    public void ThrowIfNotStorable(Lease6 lease)
    {
    }

    public async ValueTask<IReadOnlyList<Ipv6Address>> FindExistingAsync(IReadOnlyList<Ipv6Address> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var found = new List<Ipv6Address>();
        foreach (var address in addresses)
        {
            if (await store.GetAsync(address, cancellationToken).ConfigureAwait(false) is not null)
            {
                found.Add(address);
            }
        }

        return found;
    }

    public async ValueTask WriteBatchAsync(IReadOnlyList<Lease6> leases, bool replaceExisting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        await using var unit = store.BeginWork();
        foreach (var lease in leases)
        {
            var current = replaceExisting ? await store.GetAsync(lease.Address, cancellationToken).ConfigureAwait(false) : null;
            var written = current is null
                ? await unit.InsertAsync(lease, cancellationToken).ConfigureAwait(false)
                : await unit.UpdateAsync(current, lease, cancellationToken).ConfigureAwait(false);
            if (written != LeaseWriteResult.Written)
            {
                throw new InvalidOperationException($"lease {lease.Address} changed in the target while it was copied; is a server still using it?");
            }
        }

        await unit.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
