using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;

namespace Pukeko.Hooks.Leases;

/// <summary>
/// A callout's copy of one DHCPv6 lease (an address or a delegated prefix), as Kea's <c>Lease6</c>. The server
/// makes a new copy for every hook point, so nothing a callout does to it reaches the server except through an
/// in/out <c>lease6</c> argument, which the server reads back after the callouts (edited in place or replaced with
/// <see cref="CalloutHandle.SetArgument{T}"/>). Which client and subnet the lease belongs to cannot change; the
/// rest is the callouts' to edit where the hook point lets them (docs/hooks.md).
/// </summary>
public sealed class Lease6
{
    /// <summary>Lifetime value meaning "never expires" (RFC 8415 infinity).</summary>
    public const uint InfiniteLifetime = 0xFFFFFFFF;

    private JsonObject? _userContext;
    private string? _userContextText;

    /// <summary>A lease of <paramref name="duid"/>'s IA <paramref name="iaid"/> in subnet <paramref name="subnetId"/>.</summary>
    /// <param name="type">Address or prefix.</param>
    /// <param name="address">The address, or the prefix's first address.</param>
    /// <param name="prefixLength">128 for addresses, the delegated length for prefixes.</param>
    /// <param name="duid">The client's DUID.</param>
    /// <param name="iaid">The IA's identifier.</param>
    /// <param name="subnetId">The subnet's id.</param>
    public Lease6(LeaseType type, Ipv6Address address, byte prefixLength, Duid duid, uint iaid, uint subnetId)
    {
        ArgumentNullException.ThrowIfNull(duid);
        Type = type;
        Address = address;
        PrefixLength = prefixLength;
        Duid = duid;
        Iaid = iaid;
        SubnetId = subnetId;
    }

    /// <summary>Address or prefix.</summary>
    public LeaseType Type { get; }

    /// <summary>The client's DUID (three zero bytes for a declined lease).</summary>
    public Duid Duid { get; }

    /// <summary>The IA's identifier.</summary>
    public uint Iaid { get; }

    /// <summary>The subnet's id.</summary>
    public uint SubnetId { get; }

    /// <summary>The leased address, or the prefix address for <see cref="LeaseType.PD"/>. Only <c>lease6_select</c> lets a callout move a new lease, and only inside the subnet's pools.</summary>
    public Ipv6Address Address { get; set; }

    /// <summary>128 for addresses; the delegated length for prefixes.</summary>
    public byte PrefixLength { get; set; }

    /// <summary>The <c>pool-id</c> of the pool the lease is in (0 when none or not configured).</summary>
    public uint PoolId { get; init; }

    /// <summary>The lease's state.</summary>
    public LeaseState State { get; init; }

    /// <summary>Preferred lifetime in seconds.</summary>
    public uint PreferredLifetime { get; set; }

    /// <summary>Valid lifetime in seconds; <see cref="InfiniteLifetime"/> for never.</summary>
    public uint ValidLifetime { get; set; }

    /// <summary>Client last transmission time, Unix seconds.</summary>
    public long Cltt { get; set; }

    /// <summary>Expiration time, Unix seconds (<see cref="Cltt"/> + <see cref="ValidLifetime"/>).</summary>
    public long Expire => Cltt + ValidLifetime;

    /// <summary>Whether forward DNS is updated for <see cref="Hostname"/>.</summary>
    public bool FqdnForward { get; set; }

    /// <summary>Whether reverse DNS is updated for <see cref="Hostname"/>.</summary>
    public bool FqdnReverse { get; set; }

    /// <summary>The client's FQDN; empty when there is none.</summary>
    public string Hostname { get; set; } = string.Empty;

    /// <summary>The client's link-layer address, or null when unknown.</summary>
    public byte[]? HardwareAddress { get; set; }

    /// <summary>The hardware type of <see cref="HardwareAddress"/> (1 = Ethernet).</summary>
    public ushort HardwareType { get; set; }

    /// <summary>Where the hardware address was learned (Kea's <c>HWADDR_SOURCE_*</c> bits).</summary>
    public uint HardwareAddressSource { get; set; }

    /// <summary>The lease's user context (a JSON map), or null; stored in the lease file's <c>user_context</c> column.</summary>
    public JsonObject? UserContext
    {
        get
        {
            if (_userContext is null && _userContextText is { } text)
            {
                _userContext = JsonNode.Parse(text) as JsonObject;
                _userContextText = null;
            }

            return _userContext;
        }

        set
        {
            _userContext = value;
            _userContextText = null;
        }
    }

    /// <summary>True when the lifetime is finite and ended before <paramref name="now"/> (Unix seconds).</summary>
    /// <param name="now">Unix seconds.</param>
    /// <returns>Whether the lease has expired.</returns>
    public bool IsExpired(long now) => ValidLifetime != InfiniteLifetime && Expire < now;

    /// <summary>A deep copy (arrays and the user context are duplicated).</summary>
    /// <returns>The copy.</returns>
    public Lease6 Clone()
    {
        var copy = (Lease6)MemberwiseClone();
        copy.HardwareAddress = HardwareAddress is null ? null : (byte[])HardwareAddress.Clone();
        copy._userContext = (JsonObject?)_userContext?.DeepClone();
        return copy;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} {Address}/{PrefixLength} duid={Duid} iaid={Iaid} valid={ValidLifetime} cltt={Cltt} state={State}";

    /// <summary>The user context as JSON text, parsed only when a callout asks for it.</summary>
    internal string? UserContextText
    {
        get => _userContextText ?? _userContext?.ToJsonString();
        set
        {
            _userContextText = value;
            _userContext = null;
        }
    }
}
