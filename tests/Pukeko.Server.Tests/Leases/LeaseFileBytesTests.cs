using System.Text;
using CsCheck;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// The byte-level load reads what the text-level one read: the same lines as <see cref="StreamReader.ReadLine"/>
/// and the same addresses as <see cref="Ipv6Address.TryParse(string?, out Ipv6Address)"/>.
/// </summary>
public sealed class LeaseFileBytesTests
{
    [Theory]
    [InlineData("a\nb\n")]
    [InlineData("a\r\nb\r\n\r\nc")]
    [InlineData("a\rb\r\r\nc\n\n")]
    [InlineData("\uFEFFheader\nrow")]
    [InlineData("\uFEFF")]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("caf\u00e9,x\r")]
    public void Lines_are_those_of_ReadLine(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        foreach (var chunk in new[] { 1, 2, 3, 1 << 20 })
        {
            Assert.Equal(ReadLines(bytes), Lines(new TrickleStream(bytes, chunk)));
        }
    }

    [Fact]
    public void A_line_longer_than_the_buffer_is_read_whole()
    {
        var line = new string('x', 3_000_000);
        var bytes = Encoding.UTF8.GetBytes("first\n" + line + "\nlast");

        Assert.Equal(["first", line, "last"], Lines(new MemoryStream(bytes)));
    }

    [Theory]
    [InlineData("2001:db8:1::1:0")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("2001:DB8:0:0:0:0:0:1")]
    [InlineData("1:2:3:4:5:6:7::")]
    [InlineData("::1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("1:::2")]
    [InlineData("1::2::3")]
    [InlineData(":1::2")]
    [InlineData("1:2::3:")]
    [InlineData("12345::")]
    [InlineData("g::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData(" ::1")]
    [InlineData("")]
    public void Addresses_parse_as_before(string text) => AssertParsesAsBefore(text);

    [Fact]
    public void Any_address_in_any_hex_form_parses_as_before() =>
        Gen.Select(Gen.UInt128, Gen.Int[0, 2]).Sample((value, form) =>
        {
            var address = new Ipv6Address(value);
            var text = form switch
            {
                0 => address.ToString(),
                1 => string.Join(':', Enumerable.Range(0, 8).Select(g => ((ushort)(value >> (112 - (16 * g)))).ToString("X4"))),
                _ => string.Join(':', Enumerable.Range(0, 8).Select(g => ((ushort)(value >> (112 - (16 * g)))).ToString("x"))),
            };
            AssertParsesAsBefore(text);
            Assert.True(LeaseCsvAddress.TryParse(Encoding.UTF8.GetBytes(text), out var parsed));
            Assert.Equal(address, parsed);
        });

    private static void AssertParsesAsBefore(string text)
    {
        var before = Ipv6Address.TryParse(text, out var expected);
        Assert.Equal(before, LeaseCsvAddress.TryParse(Encoding.UTF8.GetBytes(text), out var actual));
        Assert.Equal(expected, actual);
    }

    private static List<string> ReadLines(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static List<string> Lines(Stream stream)
    {
        var reader = new LeaseFileLineReader(stream);
        var lines = new List<string>();
        while (reader.TryRead(out var line))
        {
            lines.Add(Encoding.UTF8.GetString(line));
        }

        return lines;
    }

    /// <summary>Returns at most a few bytes per read, as a pipe or a slow disk may.</summary>
    private sealed class TrickleStream(byte[] content, int chunk) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
