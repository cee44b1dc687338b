using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// A host database in memory for the host command tests: hosts kept in insertion order with growing ids, the same
/// identifier twice in a subnet refused with Kea's duplicate text, as PostgreSQL's unique key does.
/// </summary>
internal sealed class InMemoryHostDatabase : IHostDataSource
{
    private readonly List<StoredHost> _hosts = [];
    private long _nextId;

    public IReadOnlyList<HostReservation> Hosts => [.. _hosts.Select(h => h.Host)];

    public ValueTask<HostReservation?> FindAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, OptionDefinitionSet definitions, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_hosts.Select(h => h.Host).FirstOrDefault(h => Is(h, subnetId, type, identifier.Span)));

    public ValueTask<IReadOnlyList<HostReservation>> FindByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<HostReservation>>([.. _hosts.Select(h => h.Host).Where(h => (h.SubnetId ?? 0) == subnetId && h.IpAddresses.Contains(address))]);

    public ValueTask<IReadOnlyList<HostReservation>> FindByPrefixAsync(uint subnetId, Ipv6Prefix prefix, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<HostReservation>>([.. _hosts.Select(h => h.Host).Where(h => (h.SubnetId ?? 0) == subnetId && h.Prefixes.Contains(prefix))]);

    public ValueTask<IReadOnlyList<StoredHost>> SelectAsync(HostSelection selection, OptionDefinitionSet definitions, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<StoredHost>>([.. _hosts
            .Where(h => h.HostId > selection.AfterHostId
                && (selection.SubnetId is null || (h.Host.SubnetId ?? 0) == selection.SubnetId)
                && (selection.IdentifierType is null || (h.Host.IdentifierType == selection.IdentifierType && h.Host.Identifier.AsSpan().SequenceEqual(selection.Identifier)))
                && (selection.Hostname is null || string.Equals(h.Host.Hostname, selection.Hostname, StringComparison.OrdinalIgnoreCase))
                && (selection.Address is not { } a || h.Host.IpAddresses.Contains(a) || h.Host.Prefixes.Any(p => p.Address == a)))
            .Take(selection.Limit ?? int.MaxValue)]);

    public ValueTask AddAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default)
    {
        if (_hosts.Any(h => Is(h.Host, host.SubnetId ?? 0, host.IdentifierType, host.Identifier)))
        {
            throw new HostDatabaseWriteException("Database duplicate entry error");
        }

        _hosts.Add(new StoredHost(++_nextId, host));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> ReplaceAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default)
    {
        if (!await DeleteAsync(host.SubnetId ?? 0, host.IdentifierType, host.Identifier, cancellationToken))
        {
            return false;
        }

        await AddAsync(host, uniqueReservations, cancellationToken);
        return true;
    }

    public ValueTask<bool> DeleteAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, CancellationToken cancellationToken = default)
    {
        var array = identifier.ToArray();
        return ValueTask.FromResult(_hosts.RemoveAll(h => Is(h.Host, subnetId, type, array)) > 0);
    }

    public ValueTask<bool> DeleteByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_hosts.RemoveAll(h => (h.Host.SubnetId ?? 0) == subnetId && h.Host.IpAddresses.Contains(address)) > 0);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static bool Is(HostReservation host, uint subnetId, HostIdentifierType type, ReadOnlySpan<byte> identifier) =>
        (host.SubnetId ?? 0) == subnetId && host.IdentifierType == type && host.Identifier.AsSpan().SequenceEqual(identifier);
}
