using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Kea's lease sanity check on loading a lease file: each address (IA_NA) row's subnet-id must name a configured
/// subnet that contains the address; otherwise <see cref="LeaseSanityMode"/> decides. Prefix leases are not checked,
/// as in Kea. The subnet an address belongs to is the lowest-id subnet whose prefix contains it.
/// </summary>
internal sealed class LeaseSanityChecker
{
    private readonly LeaseSanityMode _mode;
    private readonly Dictionary<uint, Subnet6> _byId = [];
    private readonly List<Subnet6> _byIdOrder;
    private readonly ILogger _logger;

    public LeaseSanityChecker(LeaseSanityMode mode, IReadOnlyList<Subnet6> subnets, ILogger logger)
    {
        _mode = mode;
        _logger = logger;
        foreach (var subnet in subnets)
        {
            _byId.TryAdd(subnet.Id, subnet);
        }

        _byIdOrder = [.. subnets.OrderBy(s => s.Id)];
    }

    /// <summary>The row's lease (its subnet-id possibly fixed), or null when the mode drops it.</summary>
    public Lease6? Check(Lease6 lease)
    {
        if (_mode == LeaseSanityMode.None || lease.Type != LeaseType.NA)
        {
            return lease;
        }

        if (_byId.TryGetValue(lease.SubnetId, out var own) && own.Prefix.Contains(lease.Address))
        {
            return lease;
        }

        var better = _byIdOrder.FirstOrDefault(s => s.Prefix.Contains(lease.Address))?.Id ?? 0;
        if (lease.SubnetId == better)
        {
            return lease;
        }

        var reason = better != 0
            ? $"the lease should have subnet-id {better}"
            : "the lease IP address did not belong to a configured subnet";
        switch (_mode)
        {
            case LeaseSanityMode.Warn:
                Fail(lease, reason);
                return lease;
            case LeaseSanityMode.Fix or LeaseSanityMode.FixDelete when better != 0:
                _logger.LogInformation(new EventId(0, "DHCPSRV_LEASE_SANITY_FIXED"),
                    "The lease {Address} with subnet-id {SubnetId} failed subnet-id checks, but was corrected to subnet-id {Fixed}.",
                    lease.Address, lease.SubnetId, better);
                var fixedLease = lease.Clone();
                fixedLease.SubnetId = better;
                return fixedLease;
            case LeaseSanityMode.Fix:
                Fail(lease, reason);
                return lease;
            default:
                _logger.LogInformation(new EventId(0, "DHCPSRV_LEASE_SANITY_FAIL_DISCARD"),
                    "The lease {Address} with subnet-id {SubnetId} failed subnet-id checks ({Reason}) and was dropped.",
                    lease.Address, lease.SubnetId, reason);
                return null;
        }
    }

    private void Fail(Lease6 lease, string reason) =>
        _logger.LogWarning(new EventId(0, "DHCPSRV_LEASE_SANITY_FAIL"),
            "The lease {Address} with subnet-id {SubnetId} failed subnet-id checks ({Reason}).",
            lease.Address, lease.SubnetId, reason);
}
