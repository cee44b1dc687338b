using System.Net;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Tests.Addressing;

/// <summary>
/// <see cref="Ipv6Address.ToString"/> and <see cref="Ipv6Address.TryFormat"/> write their own RFC 5952 text (so lease
/// rows and logs need no <see cref="IPAddress"/> per address); the text must stay exactly the runtime's.
/// </summary>
public class Ipv6AddressFormatTests
{
    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:0:1:0:0:0:1")]
    [InlineData("2001:0:0:1:0:0:0:1")]
    [InlineData("2001:db8:1:2:3:4:5:6")]
    [InlineData("fe80::")]
    [InlineData("ff02::1:2")]
    [InlineData("2001:db8::")]
    [InlineData("1:0:2:0:3:0:4:0")]
    [InlineData("1:0:0:2:0:0:3:4")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("::192.0.2.1")]
    [InlineData("::ffff:0:192.0.2.1")]
    [InlineData("2001:db8::5efe:192.0.2.1")]
    [InlineData("ffff:ffff:ffff:ffff:0:5efe:255.255.255.255")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void Text_is_the_runtimes(string text)
    {
        Assert.Equal(IPAddress.Parse(text).ToString(), Ipv6Address.Parse(text).ToString());
    }

    [Fact]
    public void Random_addresses_with_zero_runs_format_as_the_runtime_does()
    {
        var random = new Random(5952);
        Span<byte> bytes = stackalloc byte[16];
        Span<char> text = stackalloc char[Ipv6Address.MaxTextLength];
        for (var n = 0; n < 20_000; n++)
        {
            random.NextBytes(bytes);
            for (var group = 0; group < 8; group++)
            {
                // Zero groups and small values about half the time, so runs of every length and place occur.
                switch (random.Next(4))
                {
                    case 0:
                        bytes[2 * group] = 0;
                        bytes[(2 * group) + 1] = 0;
                        break;
                    case 1:
                        bytes[2 * group] = 0;
                        break;
                }
            }

            var address = Ipv6Address.Read(bytes);
            var expected = new IPAddress(bytes).ToString();
            Assert.Equal(expected, address.ToString());
            Assert.True(address.TryFormat(text, out var length));
            Assert.Equal(expected, text[..length].ToString());
        }
    }

    [Fact]
    public void TryFormat_reports_a_destination_too_small()
    {
        var address = Ipv6Address.Parse("2001:db8:1:2:3:4:5:6");
        Assert.False(address.TryFormat(new char[address.ToString().Length - 1], out _));
        Assert.True(address.TryFormat(new char[address.ToString().Length], out var length));
        Assert.Equal(address.ToString().Length, length);
    }

    [Fact]
    public void Formatting_a_global_address_allocates_nothing()
    {
        var address = Ipv6Address.Parse("2001:db8:0:1::2:3");
        Span<char> text = stackalloc char[Ipv6Address.MaxTextLength];
        Assert.True(address.TryFormat(text, out _));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = 0;
        for (var i = 0; i < 100; i++)
        {
            address.TryFormat(text, out written);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("2001:db8:0:1::2:3", text[..written].ToString());
    }
}
