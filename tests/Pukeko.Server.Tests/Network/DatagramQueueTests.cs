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
        Assert.True(queue.Write(Datagram(1), out var none1));
        Assert.True(queue.Write(Datagram(2), out var none2));
        Assert.Null(none1);
        Assert.Null(none2);

        Assert.True(queue.Write(Datagram(3), out var dropped));
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
        var queue = new DatagramQueue(0, TimeSpan.FromDays(1), TimeSpan.FromDays(1));
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(queue.Write(Datagram(1), out var dropped));
            Assert.Null(dropped);
        }

        Assert.Equal(1000, queue.Count);
    }

    [Fact]
    public async Task A_writer_facing_a_full_queue_waits_for_a_worker_and_drops_nothing()
    {
        var queue = new DatagramQueue(1, TimeSpan.FromDays(1), TimeSpan.FromDays(1));
        Assert.True(queue.Write(Datagram(1), out _));

        // Whether the read comes before or during the wait, there is room in time: nothing is dropped.
        var writer = Task.Factory.StartNew(() => (queue.Write(Datagram(2), out var dropped), dropped), TaskCreationOptions.LongRunning);
        Assert.True(queue.TryRead(out var first));
        var (written, dropped) = await writer.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(written);
        Assert.Null(dropped);
        Assert.Equal(1, first.Length);
        Assert.True(queue.TryRead(out var second));
        Assert.Equal(2, second.Length);
    }

    [Fact]
    public void Once_the_wait_budget_is_spent_a_full_queue_drops_the_oldest_without_waiting()
    {
        // A budget of 20 ms per day: spent by the first wait, not renewed within the test.
        var queue = new DatagramQueue(1, TimeSpan.FromMilliseconds(20), TimeSpan.FromDays(1));
        Assert.True(queue.Write(Datagram(1), out _));
        Assert.Equal(TimeSpan.FromMilliseconds(20), queue.RoomWaitLeft);

        Assert.True(queue.Write(Datagram(2), out var dropped));
        Assert.Equal(1, dropped!.Length);
        Assert.Equal(TimeSpan.Zero, queue.RoomWaitLeft);

        // Workers reading again do not renew the budget: slow workers must not turn the socket buffer into a queue.
        Assert.True(queue.TryRead(out _));
        Assert.True(queue.Write(Datagram(3), out dropped));
        Assert.Null(dropped);
        Assert.True(queue.Write(Datagram(4), out dropped));
        Assert.Equal(3, dropped!.Length);
        Assert.True(queue.TryRead(out var newest));
        Assert.Equal(4, newest.Length);
    }

    [Fact]
    public void The_wait_budget_is_renewed_every_window()
    {
        // A window of zero renews the budget at every write.
        var queue = new DatagramQueue(1, TimeSpan.FromMilliseconds(10), TimeSpan.Zero);
        Assert.True(queue.Write(Datagram(1), out _));
        Assert.True(queue.Write(Datagram(2), out var dropped));
        Assert.Equal(1, dropped!.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.RoomWaitLeft);
    }

    [Fact]
    public async Task Complete_wakes_a_writer_waiting_for_room_and_the_datagram_is_not_queued()
    {
        var queue = new DatagramQueue(1, TimeSpan.FromDays(1), TimeSpan.FromDays(1));
        Assert.True(queue.Write(Datagram(1), out _));
        var writer = Task.Factory.StartNew(() => queue.Write(Datagram(2), out _), TaskCreationOptions.LongRunning);
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
        queue.Write(Datagram(5), out _);
        Assert.True(await waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(queue.TryRead(out _));

        var ending = Task.Factory.StartNew(() => queue.WaitToRead(CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        queue.Complete();
        Assert.False(await ending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(queue.Write(Datagram(1), out _));
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
