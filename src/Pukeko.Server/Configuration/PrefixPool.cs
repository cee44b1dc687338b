using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>
/// A prefix-delegation pool (<c>pd-pools[]</c>): <see cref="Prefix"/> split into prefixes of
/// <see cref="DelegatedLength"/> bits, optionally with a prefix each delegated prefix excludes
/// (RFC 6603 PD-Exclude).
/// </summary>
internal sealed class PrefixPool : ILeasePool, Classification.IClassGated
{
    /// <summary><c>prefix</c>/<c>prefix-len</c>: the space the pool delegates from.</summary>
    public required Ipv6Prefix Prefix { get; init; }

    /// <summary><c>delegated-len</c>: the length of every prefix handed out.</summary>
    public required byte DelegatedLength { get; init; }

    /// <summary><c>excluded-prefix</c>/<c>excluded-prefix-len</c>, or null.</summary>
    public Ipv6Prefix? ExcludedPrefix { get; init; }

    public uint PoolId { get; init; }

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    /// <summary><c>client-classes</c>: when not empty, only clients in one of these classes may use the pool.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>evaluate-additional-classes</c> (formerly <c>require-client-classes</c>) of the pd-pool.</summary>
    public IReadOnlyList<string> AdditionalClasses { get; init; } = [];

    public Ipv6Address First => Prefix.First;

    public Ipv6Address LastBlock => BlockAt(Capacity - 1);

    public byte BlockLength => DelegatedLength;

    /// <summary>2^(delegated-len − prefix-len), saturated.</summary>
    public UInt128 Capacity
    {
        get
        {
            var bits = DelegatedLength - Prefix.Length;
            return bits >= 128 ? UInt128.MaxValue : UInt128.One << bits;
        }
    }

    public Ipv6Address BlockAt(UInt128 index) =>
        DelegatedLength == 0 ? First : new Ipv6Address(First.Value + (index << (128 - DelegatedLength)));

    public bool Contains(Ipv6Address address) => Prefix.Contains(address);

    /// <summary>The pool may serve a client of these classes (Kea's <c>clientSupported</c>).</summary>
    public bool ClientSupported(IReadOnlySet<string> classes)
    {
        if (ClientClasses.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < ClientClasses.Count; i++)
        {
            if (classes.Contains(ClientClasses[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The PD-Exclude payload (RFC 6603 §4.2): the excluded length, then the bits of the excluded
    /// prefix that follow the delegated length, left-aligned in whole bytes. The same bits apply
    /// to every prefix of the pool, as in Kea. Null when the pool excludes nothing.
    /// </summary>
    public byte[]? PdExcludeData() => ExcludedPrefix is { } excluded ? PdExcludeData(excluded, DelegatedLength) : null;

    /// <summary>The PD-Exclude payload for <paramref name="excluded"/> inside any prefix of <paramref name="delegatedLength"/> bits.</summary>
    public static byte[] PdExcludeData(Ipv6Prefix excluded, byte delegatedLength)
    {
        var bitCount = excluded.Length - delegatedLength;
        var data = new byte[1 + ((bitCount + 7) / 8)];
        data[0] = excluded.Length;
        var shifted = excluded.Address.Value << delegatedLength;
        for (var i = 1; i < data.Length; i++)
        {
            data[i] = (byte)(shifted >> (128 - (8 * i)));
        }

        // Clear the bits beyond the excluded length in the last byte (RFC 6603 §4.2: set to zero).
        var spare = ((data.Length - 1) * 8) - bitCount;
        data[^1] &= (byte)(0xFF << spare);
        return data;
    }

    public override string ToString() => $"{Prefix} delegated-len {DelegatedLength}";
}
