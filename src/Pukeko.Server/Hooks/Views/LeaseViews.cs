using Pukeko.Protocol.Duids;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using LeaseView = Pukeko.Hooks.Leases.Lease6;
using ViewState = Pukeko.Hooks.Leases.LeaseState;
using ViewType = Pukeko.Hooks.Leases.LeaseType;

namespace Pukeko.Server.Hooks.Views;

/// <summary>
/// The engine's leases as callouts see them and back: every hook point gets new copies, and only what a callout
/// may change (the block for a new lease, lifetimes, cltt, FQDN, hardware address, user context) comes back.
/// </summary>
internal static class LeaseViews
{
    /// <summary>A callout's copy of <paramref name="lease"/>.</summary>
    public static LeaseView ToView(Lease6 lease) =>
        new((ViewType)lease.Type, lease.Address, lease.PrefixLength, new Duid(lease.Duid), lease.Iaid, lease.SubnetId)
        {
            PoolId = lease.PoolId,
            State = (ViewState)lease.State,
            PreferredLifetime = lease.PreferredLifetime,
            ValidLifetime = lease.ValidLifetime,
            Cltt = lease.Cltt,
            FqdnForward = lease.FqdnForward,
            FqdnReverse = lease.FqdnReverse,
            Hostname = lease.Hostname,
            HardwareAddress = lease.HardwareAddress is null ? null : (byte[])lease.HardwareAddress.Clone(),
            HardwareType = lease.HardwareType,
            HardwareAddressSource = lease.HardwareAddressSource,
            UserContextText = lease.UserContext,
        };

    /// <summary>Copies of <paramref name="leases"/>, for an argument the server does not read back.</summary>
    public static IReadOnlyList<LeaseView> ToViews(IReadOnlyList<Lease6> leases)
    {
        if (leases.Count == 0)
        {
            return [];
        }

        var views = new LeaseView[leases.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = ToView(leases[i]);
        }

        return views;
    }

    /// <summary>
    /// <paramref name="original"/> with what the callouts changed in <paramref name="view"/>: the same instance when
    /// they changed nothing, else a new lease. Who the lease belongs to (type, DUID, IAID, subnet) and its state stay
    /// the server's; <see cref="LeaseArgumentCheck"/> has refused a view that changed them. A new lease moved to
    /// another block takes the pool id of the pool of <paramref name="subnet"/> it moved to.
    /// </summary>
    public static Lease6 Apply(LeaseView view, Lease6 original, Subnet6? subnet = null)
    {
        var userContext = view.UserContextText;
        var hardwareSame = view.HardwareAddress is null
            ? original.HardwareAddress is null
            : original.HardwareAddress is not null && view.HardwareAddress.AsSpan().SequenceEqual(original.HardwareAddress);
        if (view.Address == original.Address
            && view.PrefixLength == original.PrefixLength
            && view.PreferredLifetime == original.PreferredLifetime
            && view.ValidLifetime == original.ValidLifetime
            && view.Cltt == original.Cltt
            && view.FqdnForward == original.FqdnForward
            && view.FqdnReverse == original.FqdnReverse
            && view.Hostname == original.Hostname
            && hardwareSame
            && view.HardwareType == original.HardwareType
            && view.HardwareAddressSource == original.HardwareAddressSource
            && userContext == original.UserContext)
        {
            return original;
        }

        var changed = original.Clone();
        if (view.Address != original.Address || view.PrefixLength != original.PrefixLength)
        {
            changed.Address = view.Address;
            changed.PrefixLength = view.PrefixLength;
            changed.PoolId = subnet?.FindPool(original.Type, view.Address)?.PoolId ?? original.PoolId;
        }

        changed.PreferredLifetime = view.PreferredLifetime;
        changed.ValidLifetime = view.ValidLifetime;
        changed.Cltt = view.Cltt;
        changed.FqdnForward = view.FqdnForward;
        changed.FqdnReverse = view.FqdnReverse;
        changed.Hostname = view.Hostname ?? string.Empty;
        changed.HardwareAddress = view.HardwareAddress is null ? null : (byte[])view.HardwareAddress.Clone();
        changed.HardwareType = view.HardwareType;
        changed.HardwareAddressSource = view.HardwareAddressSource;
        changed.UserContext = userContext;
        return changed;
    }
}
