using System.Globalization;
using System.Text;
using CsCheck;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// DUIDs and hardware addresses in the lease file: what Kea writes (two digits an octet, colons between) round-trips,
/// and any text reads as a plain reference reading of Kea's forms does (octets of one or two digits between colons, or
/// an even number of digits without separators), through the fast path for Kea's own form or the general one.
/// </summary>
public sealed class LeaseCsvHexTests
{
    [Fact]
    public void What_kea_writes_reads_back()
    {
        Gen.Byte.Array[0, 130].Sample(bytes =>
        {
            Assert.True(LeaseCsvHex.TryParse(Encoding.ASCII.GetBytes(LeaseCsvHex.Format(bytes)), out var read));
            Assert.Equal(bytes, read);
        });
    }

    [Fact]
    public void Any_text_reads_as_the_reference_reads_it()
    {
        Gen.Int[0, 5].Select(i => "07aF:g"[i]).Array[0, 14].Select(c => new string(c)).Sample(text =>
        {
            var expected = Reference(text);
            var ok = LeaseCsvHex.TryParse(Encoding.ASCII.GetBytes(text), out var read);
            Assert.Equal(expected is not null, ok);
            if (expected is not null)
            {
                Assert.Equal(expected, read);
            }
        }, iter: 20_000);
    }

    private static byte[]? Reference(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var octets = text.Contains(':', StringComparison.Ordinal)
            ? text.Split(':')
            : text.Length % 2 == 0 ? Enumerable.Range(0, text.Length / 2).Select(i => text.Substring(i * 2, 2)).ToArray() : null;
        if (octets is null || octets.Any(o => o.Length is < 1 or > 2 || !o.All(Uri.IsHexDigit)))
        {
            return null;
        }

        return octets.Select(o => byte.Parse(o, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }
}
