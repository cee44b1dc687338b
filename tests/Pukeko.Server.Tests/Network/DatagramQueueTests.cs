using Pukeko.Protocol.Addressing;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Transport;

namespace Pukeko.Server.Tests.Network;

/// <summary>The queue between the receive thread and the packet workers (packet-queue-size).</summary>
public sealed class DatagramQueueTests
{
    private static ReceivedDatagram Datagram(int length) => new()
    {
        Buffer = new byte[length],
        Length = length,
        RemoteAddress = Ipv6Address.Parse("fe80::1"),
        RemotePort = 546,
        LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
        LocalPort = 547,
        InterfaceIndex = 2,
        InterfaceName = "eth0",
    };

    [Fact]
    public void A_full_queue_refuses_the_write_and_keeps_order()
    {
        var queue = new DatagramQueue(2);
        Assert.True(queue.TryWrite(Datagram(1)));
        Assert.True(queue.TryWrite(Datagram(2)));
        Assert.False(queue.TryWrite(Datagram(3)));
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(1, first.Length);
        Assert.True(queue.TryWrite(Datagram(4)));
        Assert.True(queue.TryRead(out var second));
        Assert.Equal(2, second.Length);
    }

    [Fact]
    public void A_size_of_zero_means_unbounded()
    {
        var queue = new DatagramQueue(0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(queue.TryWrite(Datagram(1)));
        }

        Assert.Equal(1000, queue.Count);
    }

    [Fact]
    public async Task A_waiting_worker_wakes_on_a_write_and_ends_after_complete()
    {
        var queue = new DatagramQueue(8);
        var waiter = Task.Factory.StartNew(() => queue.WaitToRead(CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(waiter.IsCompleted);
        queue.TryWrite(Datagram(5));
        Assert.True(await waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(queue.TryRead(out _));

        var ending = Task.Factory.StartNew(() => queue.WaitToRead(CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        queue.Complete();
        Assert.False(await ending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(queue.TryWrite(Datagram(1)));
    }

    [Fact]
    public async Task A_cancelled_wait_throws()
    {
        var queue = new DatagramQueue(8);
        using var stop = new CancellationTokenSource();
        var waiter = Task.Factory.StartNew(() => queue.WaitToRead(stop.Token), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        stop.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
