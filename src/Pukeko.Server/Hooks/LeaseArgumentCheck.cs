using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using LeaseView = Pukeko.Hooks.Leases.Lease6;

namespace Pukeko.Server.Hooks;

/// <summary>
/// What a lease handed back by <c>lease6_select</c>, <c>lease6_renew</c>, <c>lease6_rebind</c>, <c>lease6_release</c>
/// or <c>lease6_decline</c> must keep: the client's DUID and IAID, the lease type and the subnet, and (except for a
/// new lease in <c>lease6_select</c>, whose block a callout may choose inside the subnet's pools) the address.
/// Lifetimes, host name, FQDN flags, hardware address and user context stay the callouts' to edit.
/// </summary>
/// <remarks>
/// Kea checks none of this and stores what the callouts left; Pukeko refuses such a lease and drops the packet,
/// because storing it would give this client's request another client's binding, a lease in a subnet that did
/// not serve it, or (for an extension, release or decline) rewrite or remove the lease at another address.
/// </remarks>
internal sealed class LeaseArgumentCheck
{
    private readonly Ipv6Address _address;
    private readonly byte _prefixLength;
    private readonly LeaseType _type;
    private readonly byte[] _duid;
    private readonly uint _iaid;
    private readonly uint _subnetId;
    private readonly Subnet6? _newBlockSubnet;

    private LeaseArgumentCheck(Lease6 lease, Subnet6? newBlockSubnet)
    {
        // A copy: the callouts may edit the very object handed to them.
        _address = lease.Address;
        _prefixLength = lease.PrefixLength;
        _type = lease.Type;
        _duid = (byte[])lease.Duid.Clone();
        _iaid = lease.Iaid;
        _subnetId = lease.SubnetId;
        _newBlockSubnet = newBlockSubnet;
    }

    /// <summary>The lease must stay the one at this address (extension, release, decline, reuse of an expired lease).</summary>
    public static Func<CalloutHandle, string?> Fixed(Lease6 lease) => new LeaseArgumentCheck(lease, null).Check;

    /// <summary>A new lease in <paramref name="subnet"/>: a callout may move it to another block of the subnet's pools.</summary>
    public static Func<CalloutHandle, string?> NewIn(Lease6 lease, Subnet6 subnet) => new LeaseArgumentCheck(lease, subnet).Check;

    private string? Check(CalloutHandle handle)
    {
        if (!handle.TryGetArgument<LeaseView>("lease6", out var lease) || lease is null)
        {
            // Missing: the server keeps its own; null or another type: ArgumentRules reports it.
            return null;
        }

        if ((LeaseType)lease.Type != _type)
        {
            return $"lease6 changed its type from {_type} to {lease.Type}";
        }

        if (!lease.Duid.Bytes.SequenceEqual(_duid) || lease.Iaid != _iaid)
        {
            return $"lease6 {lease.Address} is for another client (DUID or IAID changed)";
        }

        if (lease.SubnetId != _subnetId)
        {
            return $"lease6 {lease.Address} is for another subnet (subnet-id {lease.SubnetId}, the server selected {_subnetId})";
        }

        if (lease.Address == _address && lease.PrefixLength == _prefixLength)
        {
            return null;
        }

        if (_newBlockSubnet is not { } subnet)
        {
            return $"lease6 changed its block from {_address}/{_prefixLength} to {lease.Address}/{lease.PrefixLength}";
        }

        var pool = subnet.FindPool(_type, lease.Address);
        if (pool is null)
        {
            return $"lease6 {lease.Address} is outside every pool of subnet {subnet.Id}";
        }

        if (_type == LeaseType.NA ? lease.PrefixLength != 128 : pool is PrefixPool pd && lease.PrefixLength != pd.DelegatedLength)
        {
            return $"lease6 {lease.Address}/{lease.PrefixLength} has a prefix length its pool does not delegate";
        }

        return null;
    }
}
