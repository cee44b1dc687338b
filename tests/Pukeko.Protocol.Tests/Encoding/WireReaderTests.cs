using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Encoding;

public class WireReaderTests
{
    [Fact]
    public void ReadsBigEndianValuesInSequence()
    {
        var reader = new WireReader(Hex.Bytes("01 0203 040506 0708090a 0b0c0d0e0f101112"));

        Assert.True(reader.TryReadByte(out var b));
        Assert.True(reader.TryReadUInt16(out var u16));
        Assert.True(reader.TryReadUInt24(out var u24));
        Assert.True(reader.TryReadUInt32(out var u32));
        Assert.True(reader.TryReadUInt64(out var u64));

        Assert.Equal(0x01, b);
        Assert.Equal(0x0203, u16);
        Assert.Equal(0x040506u, u24);
        Assert.Equal(0x0708090au, u32);
        Assert.Equal(0x0b0c0d0e0f101112ul, u64);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void FailedReadsReturnFalseAndDoNotAdvance()
    {
        var reader = new WireReader(Hex.Bytes("0102"));

        Assert.False(reader.TryReadUInt32(out _));
        Assert.False(reader.TryReadBytes(3, out _));
        Assert.False(reader.TryReadAddress(out _));
        Assert.Equal(0, reader.Position);
        Assert.True(reader.TryReadUInt16(out var value));
        Assert.Equal(0x0102, value);
        Assert.False(reader.TryReadByte(out _));
    }

    [Fact]
    public void WriterProducesWhatTheReaderReads()
    {
        var buffer = new byte[7];
        var writer = new WireWriter(buffer);
        writer.WriteUInt24(0xabcdef);
        writer.WriteUInt32(0x01020304);

        Assert.Equal(7, writer.Position);
        Assert.Equal("abcdef01020304", Hex.Of(buffer));
    }
}
