using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Tests.Encoding;

public class HexTextTests
{
    [Fact]
    public void FormatWritesLowerCaseBytesSeparatedByColons()
    {
        Assert.Equal("00:0a:ff", HexText.Format([0x00, 0x0a, 0xff]));
        Assert.Equal(string.Empty, HexText.Format([]));
        Assert.Equal("0aff", HexText.FormatPlain([0x0a, 0xff]));
    }

    [Fact]
    public void FormatHandlesInputsLargerThanTheStackBuffer()
    {
        var bytes = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();

        Assert.Equal(bytes, HexText.Parse(HexText.Format(bytes)));
    }

    [Theory]
    [InlineData("0a:FF:1", new byte[] { 0x0a, 0xff, 0x01 })]
    [InlineData("0aff01", new byte[] { 0x0a, 0xff, 0x01 })]
    [InlineData("0x0aff", new byte[] { 0x0a, 0xff })]
    public void TryParseAcceptsSeparatedAndPlainHex(string text, byte[] expected)
    {
        Assert.True(HexText.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0a:")]
    [InlineData("zz")]
    [InlineData("0a:123")]
    public void TryParseRejectsMalformedHex(string text)
    {
        Assert.False(HexText.TryParse(text, out _));
    }
}
