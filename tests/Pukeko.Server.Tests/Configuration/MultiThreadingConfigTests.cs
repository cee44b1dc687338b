using Pukeko.Server.Configuration;

namespace Pukeko.Server.Tests.Configuration;

public sealed class MultiThreadingConfigTests
{
    [Theory]
    [InlineData(true, 64, 128 * 1024)]          // Kea's default queue: 64 packets of 2 KB
    [InlineData(true, 600, 600 * 2048)]         // ISC's memfile advice for 4 threads
    [InlineData(true, 10, 128 * 1024)]          // never below 128 KB
    [InlineData(true, 100_000, 4 * 1024 * 1024)] // never above 4 MB
    [InlineData(true, 0, 4 * 1024 * 1024)]      // unbounded
    [InlineData(false, 64, 4 * 1024 * 1024)]    // one thread: the socket is Kea's only queue too
    public void With_threads_the_packet_queue_size_sizes_the_socket_buffer(bool threads, int queue, int expected) =>
        Assert.Equal(expected, new MultiThreadingConfig(threads, 2, queue).ReceiveBufferBytes);

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]   // Kea ignores queue control with threads
    [InlineData(false, false, false)]
    [InlineData(false, true, true)]
    public void Only_queue_control_without_threads_puts_a_queue_between_socket_and_worker(bool threads, bool queueControl, bool queued) =>
        Assert.Equal(queued, new MultiThreadingConfig(threads, 2, 64, queueControl).HasPacketQueue);
}
