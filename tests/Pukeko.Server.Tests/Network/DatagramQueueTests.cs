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
    public void A_full_queue_drops_the_oldest_to_take_the_new_datagram_as_Kea_does()
    {
        var queue = new DatagramQueue(2);
        Assert.True(queue.Write(Datagram(1), TimeSpan.Zero, out var none1));
        Assert.True(queue.Write(Datagram(2), TimeSpan.Zero, out var none2));
        Assert.Null(none1);
        Assert.Null(none2);

        Assert.True(queue.Write(Datagram(3), TimeSpan.Zero, out var dropped));
        Assert.Equal(1, dropped!.Length);
        Assert.Equal(2, queue.Count);
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(2, first.Length);
        Assert.True(queue.TryRead(out var second));
        Assert.Equal(3, second.Length);
    }

    [Fact]
    public void A_size_of_zero_means_unbounded()
    {
        var queue = new DatagramQueue(0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(queue.Write(Datagram(1), TimeSpan.FromMinutes(1), out var dropped));
            Assert.Null(dropped);
        }

        Assert.Equal(1000, queue.Count);
    }

    [Fact]
    public async Task A_writer_facing_a_full_queue_waits_for_a_worker_and_drops_nothing()
    {
        var queue = new DatagramQueue(1);
        Assert.True(queue.Write(Datagram(1), TimeSpan.Zero, out _));

        // Whether the read comes before or during the wait, there is room in time: nothing is dropped.
        var writer = Task.Factory.StartNew(() => (queue.Write(Datagram(2), TimeSpan.FromMinutes(5), out var dropped), dropped), TaskCreationOptions.LongRunning);
        Assert.True(queue.TryRead(out var first));
        var (written, dropped) = await writer.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(written);
        Assert.Null(dropped);
        Assert.Equal(1, first.Length);
        Assert.True(queue.TryRead(out var second));
        Assert.Equal(2, second.Length);
    }

    [Fact]
    public void When_no_worker_makes_room_in_time_the_oldest_goes_and_later_writes_do_not_wait_until_a_read()
    {
        var queue = new DatagramQueue(1);
        Assert.True(queue.Write(Datagram(1), TimeSpan.Zero, out _));

        Assert.True(queue.Write(Datagram(2), TimeSpan.FromMilliseconds(20), out var dropped));
        Assert.Equal(1, dropped!.Length);

        // The workers are behind: this write would hang for the test's whole timeout if it waited again.
        Assert.True(queue.Write(Datagram(3), TimeSpan.FromDays(1), out dropped));
        Assert.Equal(2, dropped!.Length);

        // A read shows the workers moving again; the next write finds room.
        Assert.True(queue.TryRead(out _));
        Assert.True(queue.Write(Datagram(4), TimeSpan.FromDays(1), out dropped));
        Assert.Null(dropped);
    }

    [Fact]
    public async Task Complete_wakes_a_writer_waiting_for_room_and_the_datagram_is_not_queued()
    {
        var queue = new DatagramQueue(1);
        Assert.True(queue.Write(Datagram(1), TimeSpan.Zero, out _));
        var writer = Task.Factory.StartNew(() => queue.Write(Datagram(2), TimeSpan.FromDays(1), out _), TaskCreationOptions.LongRunning);
        queue.Complete();

        Assert.False(await writer.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task A_waiting_worker_wakes_on_a_write_and_ends_after_complete()
    {
        var queue = new DatagramQueue(8);
        var waiter = Task.Factory.StartNew(() => queue.WaitToRead(CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(waiter.IsCompleted);
        queue.Write(Datagram(5), TimeSpan.Zero, out _);
        Assert.True(await waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(queue.TryRead(out _));

        var ending = Task.Factory.StartNew(() => queue.WaitToRead(CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        queue.Complete();
        Assert.False(await ending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(queue.Write(Datagram(1), TimeSpan.Zero, out _));
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
