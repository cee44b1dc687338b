using CsCheck;
using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Encoding;

public class DomainNameEncodingTests
{
    [Theory]
    [InlineData("example.com", "076578616d706c6503636f6d00")]
    [InlineData("example.com.", "076578616d706c6503636f6d00")]
    [InlineData("", "00")]
    [InlineData(".", "00")]
    public void FullyQualifiedNamesEndWithTheRootLabel(string name, string wire)
    {
        Assert.Equal(wire, Hex.Of(DomainNameEncoding.ToWire(name, fullyQualified: true)));
    }

    [Fact]
    public void PartialNamesHaveNoRootLabel()
    {
        Assert.Equal("04686f7374", Hex.Of(DomainNameEncoding.ToWire("host", fullyQualified: false)));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData("a b.com")]
    [InlineData("tooo-long-label-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com")]
    [InlineData("bad\\9")]
    public void InvalidNamesAreRejectedWithAReason(string name)
    {
        var exception = Assert.Throws<FormatException>(() => DomainNameEncoding.ToWire(name, fullyQualified: true));
        Assert.Contains("is not a valid domain name", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesLongerThan255BytesAreRejected()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));

        Assert.Throws<FormatException>(() => DomainNameEncoding.ToWire(name, fullyQualified: true));
    }

    [Fact]
    public void EscapesLetAnyLabelBytesRoundTrip()
    {
        Gen.Byte.Array[1, 63].Array[1, 3].Sample(labels =>
        {
            var wire = labels.SelectMany(label => new[] { (byte)label.Length }.Concat(label)).Append((byte)0).ToArray();

            Assert.True(DomainNameEncoding.TryRead(wire, allowPartial: false, out var name, out var consumed, out var full));
            Assert.Equal(wire.Length, consumed);
            Assert.True(full);
            Assert.Equal(wire, DomainNameEncoding.ToWire(name, fullyQualified: true));
        }, iter: 500);
    }

    [Fact]
    public void TryReadRejectsCompressionPointersAndMissingRoot()
    {
        Assert.False(DomainNameEncoding.TryRead(Hex.Bytes("c00c"), allowPartial: false, out _, out _, out _));
        Assert.False(DomainNameEncoding.TryRead(Hex.Bytes("03636f6d"), allowPartial: false, out _, out _, out _));
        Assert.True(DomainNameEncoding.TryRead(Hex.Bytes("03636f6d"), allowPartial: true, out var name, out _, out var full));
        Assert.Equal("com", name);
        Assert.False(full);
    }
}
