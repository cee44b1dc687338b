using Pukeko.Protocol.Duids;

namespace Pukeko.Protocol.Tests.Duids;

public class DuidTests
{
    [Fact]
    public void CreateLltLaysOutTypeHardwareTimeAndAddress()
    {
        var duid = Duid.CreateLlt(1, 0x01020304, [0xaa, 0xbb]);

        Assert.Equal("00:01:00:01:01:02:03:04:aa:bb", duid.ToString());
        Assert.Equal(DuidType.Llt, duid.Type);
    }

    [Fact]
    public void CreateLltFromTimeCountsSecondsSince2000()
    {
        var duid = Duid.CreateLlt(1, new DateTimeOffset(2000, 1, 1, 0, 1, 0, TimeSpan.Zero), [0x01]);

        Assert.Equal("00:01:00:01:00:00:00:3c:01", duid.ToString());
    }

    [Fact]
    public void CreateEnLaysOutEnterpriseNumberAndIdentifier()
    {
        Assert.Equal("00:02:00:00:09:bf:12:34", Duid.CreateEn(2495, [0x12, 0x34]).ToString());
    }

    [Fact]
    public void CreateLlLaysOutHardwareTypeAndAddress()
    {
        Assert.Equal("00:03:00:01:52:54:00:12:34:56", Duid.CreateLl(1, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]).ToString());
    }

    [Fact]
    public void CreateUuidWritesTheUuidInNetworkOrder()
    {
        var duid = Duid.CreateUuid(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"));

        Assert.Equal("00:04:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef", duid.ToString());
        Assert.Equal(DuidType.Uuid, duid.Type);
    }

    [Theory]
    [InlineData("00:01:00:01:aa")]
    [InlineData("0:1:0:1:AA")]
    [InlineData("00010001aa")]
    public void ParseAcceptsColonSeparatedAndPlainHex(string text)
    {
        Assert.Equal("00:01:00:01:aa", Duid.Parse(text).ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00:1g")]
    [InlineData("000")]
    [InlineData("00::01")]
    [InlineData("001:02")]
    public void TryParseRejectsInvalidText(string? text)
    {
        Assert.False(Duid.TryParse(text, out var duid));
        Assert.Null(duid);
    }

    [Fact]
    public void EqualityAndHashFollowTheBytes()
    {
        var a = Duid.Parse("00:03:00:01:aa:bb");
        var b = new Duid([0, 3, 0, 1, 0xaa, 0xbb]);
        var c = Duid.Parse("00:03:00:01:aa:bc");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.True(a != c);
    }

    [Fact]
    public void DuidIsNotChangedByModifyingTheSourceOrTheCopy()
    {
        byte[] source = [0, 3, 0, 1, 0xaa];
        var duid = new Duid(source);
        source[4] = 0;
        duid.ToArray()[4] = 0;

        Assert.Equal(0xaa, duid.Bytes[4]);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("00:05:01")]
    public void TypeIsNullWhenTooShortOrUnknown(string text)
    {
        Assert.Null(Duid.Parse(text).Type);
    }

    [Fact]
    public void LinkLayerAddressComesFromLltAndLlButNotEn()
    {
        Assert.True(Duid.CreateLlt(1, 5, [1, 2, 3]).TryGetLinkLayerAddress(out var type, out var address));
        Assert.Equal(1, type);
        Assert.Equal(new byte[] { 1, 2, 3 }, address);
        Assert.True(Duid.CreateLl(6, [9]).TryGetLinkLayerAddress(out type, out address));
        Assert.Equal(6, type);
        Assert.Equal(new byte[] { 9 }, address);
        Assert.False(Duid.CreateEn(1, [1]).TryGetLinkLayerAddress(out _, out _));
    }
}
