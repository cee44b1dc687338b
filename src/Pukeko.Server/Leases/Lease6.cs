using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// One DHCPv6 lease (address or delegated prefix). A plain mutable object: stores hand out
/// copies, so a caller may modify its copy freely and publish the change with
/// <see cref="ILeaseStore.Update"/>. Its byte arrays (<see cref="Duid"/>, <see cref="HardwareAddress"/>)
/// are not written in place while the lease is in use, only replaced, so copies share them; hook callouts get copies of
/// their own. The pipeline fills its lease objects, and the client's DUID and hardware address arrays they point to,
/// again for its next query (<see cref="LeaseRental"/>): nothing it hands a lease to synchronously (observers, the
/// store) keeps the lease or its arrays, and what must keep one keeps a <see cref="DeepClone"/>.
/// </summary>
internal sealed class Lease6
{
    /// <summary>Lifetime value meaning "never expires" (RFC 8415 infinity).</summary>
    public const uint InfiniteLifetime = 0xFFFFFFFF;

    /// <summary>The DUID Kea stores for declined leases (three zero bytes), so the address is not tied to any client.</summary>
    public static ReadOnlySpan<byte> DeclinedDuid => [0, 0, 0];

    /// <summary>The leased address, or the prefix address for <see cref="LeaseType.PD"/>.</summary>
    public Ipv6Address Address { get; set; }

    public LeaseType Type { get; set; }

    /// <summary>128 for NA/TA; the delegated length for PD.</summary>
    public byte PrefixLength { get; set; } = 128;

    /// <summary>Raw client DUID bytes; <see cref="DeclinedDuid"/> for declined leases.</summary>
    public byte[] Duid { get; set; } = [];

    public uint Iaid { get; set; }

    public uint PreferredLifetime { get; set; }

    public uint ValidLifetime { get; set; }

    /// <summary>Client last transmission time, unix seconds.</summary>
    public long Cltt { get; set; }

    public uint SubnetId { get; set; }

    public uint PoolId { get; set; }

    public bool FqdnForward { get; set; }

    public bool FqdnReverse { get; set; }

    /// <summary>Client FQDN; empty string when there is none (never null, matching the CSV).</summary>
    public string Hostname { get; set; } = string.Empty;

    /// <summary>Client link-layer address if known; null otherwise.</summary>
    public byte[]? HardwareAddress { get; set; }

    /// <summary>Hardware type (e.g. 1 = Ethernet); only meaningful when <see cref="HardwareAddress"/> is set.</summary>
    public ushort HardwareType { get; set; }

    /// <summary>Bit value telling where the hardware address came from (Kea's HWADDR_SOURCE_* values).</summary>
    public uint HardwareAddressSource { get; set; }

    public LeaseState State { get; set; }

    /// <summary>User context as JSON object text, or null.</summary>
    public string? UserContext { get; set; }

    /// <summary>Expiration time, unix seconds: cltt + valid lifetime (the CSV <c>expire</c> column).</summary>
    public long Expire => Cltt + ValidLifetime;

    /// <summary>True when the lease has a finite lifetime and its expiration time is strictly before <paramref name="now"/>.</summary>
    public bool IsExpired(long now) => ValidLifetime != InfiniteLifetime && Expire < now;

    /// <summary>
    /// True when <paramref name="other"/> is the same version of this lease: same holder, state and
    /// lifetime. Conditional writes compare what the caller read with what is stored on this, as
    /// Kea's SQL backends condition an update on the old expiration.
    /// </summary>
    public bool IsSameVersion(Lease6 other) =>
        Address == other.Address
        && Type == other.Type
        && State == other.State
        && Cltt == other.Cltt
        && ValidLifetime == other.ValidLifetime
        && Iaid == other.Iaid
        && Duid.AsSpan().SequenceEqual(other.Duid);

    /// <summary>A copy to change: it shares the byte arrays, which nobody writes in place (see the class remarks).</summary>
    public Lease6 Clone() => (Lease6)MemberwiseClone();

    /// <summary>A copy with byte arrays of its own, to keep after the call that handed this lease over.</summary>
    public Lease6 DeepClone()
    {
        var copy = Clone();
        copy.Duid = (byte[])Duid.Clone();
        copy.HardwareAddress = (byte[]?)HardwareAddress?.Clone();
        return copy;
    }

    /// <summary>Makes this lease a copy of <paramref name="other"/>, sharing its byte arrays (see the class remarks).</summary>
    public void CopyFrom(Lease6 other)
    {
        Address = other.Address;
        Type = other.Type;
        PrefixLength = other.PrefixLength;
        Duid = other.Duid;
        Iaid = other.Iaid;
        PreferredLifetime = other.PreferredLifetime;
        ValidLifetime = other.ValidLifetime;
        Cltt = other.Cltt;
        SubnetId = other.SubnetId;
        PoolId = other.PoolId;
        FqdnForward = other.FqdnForward;
        FqdnReverse = other.FqdnReverse;
        Hostname = other.Hostname;
        HardwareAddress = other.HardwareAddress;
        HardwareType = other.HardwareType;
        HardwareAddressSource = other.HardwareAddressSource;
        State = other.State;
        UserContext = other.UserContext;
    }

    /// <summary>Puts every field back to a new lease's value (a rented lease about to be filled again).</summary>
    public void Clear() => CopyFrom(Empty);

    private static readonly Lease6 Empty = new();

    /// <summary>
    /// Turns this lease into a declined one, as Kea does on DHCPv6 Decline: the address is parked for
    /// the probation period and all client identity is dropped so the client cannot get it back.
    /// </summary>
    public void Decline(uint probationPeriod, long now)
    {
        HardwareAddress = null;
        HardwareType = 0;
        HardwareAddressSource = 0;
        Duid = DeclinedDuid.ToArray();
        PreferredLifetime = 0;
        ValidLifetime = probationPeriod;
        Cltt = now;
        Hostname = string.Empty;
        FqdnForward = false;
        FqdnReverse = false;
        State = LeaseState.Declined;
    }

    public override string ToString() =>
        $"{Type} {Address}/{PrefixLength} duid={Convert.ToHexString(Duid)} iaid={Iaid} valid={ValidLifetime} cltt={Cltt} state={State}";
}
