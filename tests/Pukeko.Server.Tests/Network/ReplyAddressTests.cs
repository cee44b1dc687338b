using System.Net;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Transport;

namespace Pukeko.Server.Tests.Network;

/// <summary>The reused reply address must be byte for byte what the runtime makes of the same end point.</summary>
public sealed class ReplyAddressTests
{
    [Theory]
    [InlineData("2001:db8::1", 546, 0)]
    [InlineData("fe80::20c:1ff:fe02:304", 546, 7)]
    [InlineData("ff02::1:2", 547, 3)]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 65535, 0)]
    public void Set_writes_what_an_IPEndPoint_serialises_to(string address, int port, int scope)
    {
        var reply = new ReplyAddress();

        // Another destination first: every field must be overwritten, not only set once.
        reply.Set(Ipv6Address.Parse("fe80::99"), 1, 42);
        var written = reply.Set(Ipv6Address.Parse(address), (ushort)port, (uint)scope);

        var expected = new IPEndPoint(Ipv6Address.Parse(address).ToIPAddress(scope), port).Serialize();
        Assert.Equal(expected.Size, written.Size);
        Assert.Equal(expected.Buffer.Span[..expected.Size].ToArray(), written.Buffer.Span[..written.Size].ToArray());
    }

    [Fact]
    public void Setting_the_address_allocates_nothing()
    {
        var reply = new ReplyAddress();
        var destination = Ipv6Address.Parse("2001:db8::5");
        reply.Set(destination, 546, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            reply.Set(destination, 546, (uint)i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
