using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Index;

// The keys of the index's hash tables, hashed from a lease (to look it up) or from a record slot (to move it). Each
// hash is mixed to 64 well-spread bits: the tables take their home position from the top bits and a tag from the low.

internal readonly struct AddressHasher(LeaseRecordSlab records) : ISlotHasher
{
    public ulong Hash(int slot) => Of(records[slot].Address);

    public static ulong Of(Ipv6Address address) =>
        HashMix.Mix((ulong)address.Value ^ HashMix.Mix((ulong)(address.Value >> 64)));
}

internal readonly struct DuidHasher(LeaseRecordSlab records, LeaseIdentityArena identities) : ISlotHasher
{
    public ulong Hash(int slot) => Of(identities.Duid(records[slot].Identity));

    public static ulong Of(ReadOnlySpan<byte> duid)
    {
        var hash = new HashCode();
        hash.AddBytes(duid);
        return HashMix.Mix((uint)hash.ToHashCode());
    }
}

internal static class HashMix
{
    /// <summary>A 64-bit finaliser (MurmurHash3's): every input bit affects every output bit.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccdUL;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53UL;
        value ^= value >> 33;
        return value;
    }
}

/// <summary>
/// The key of the expiration sets, packed in a ulong so a set holds 8 bytes per lease: the expiration time (unix
/// seconds, clamped to 0 .. 2^38 - 1, beyond year 10 000) in the top 38 bits, the record slot below it as the
/// tie-breaker that makes keys unique. Ordered as numbers, keys are ordered by expiration.
/// </summary>
internal static class ExpirationKey
{
    private const int SlotBits = 26;
    private const long MaxExpire = (1L << (64 - SlotBits)) - 1;

    public static ulong Of(long expire, int slot) => ((ulong)Math.Clamp(expire, 0, MaxExpire) << SlotBits) | (uint)slot;

    public static long Expire(ulong key) => (long)(key >> SlotBits);

    public static int Slot(ulong key) => (int)(key & ((1UL << SlotBits) - 1));
}
