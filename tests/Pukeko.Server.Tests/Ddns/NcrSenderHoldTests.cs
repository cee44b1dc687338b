using System.Net.Sockets;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Ddns;
using Pukeko.Server.Statistics;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Ddns;

/// <summary>
/// The sender over a real loopback socket while kea-dhcp-ddns is not listening: requests are held (the kernel's port
/// unreachable tells the sender), bounded by max-queue-size, and delivered in order once something listens again.
/// </summary>
public sealed class NcrSenderHoldTests
{
    private static NameChangeRequest Request(int n) =>
        new(NameChangeType.Add, true, true, $"host{n}.example.com.", $"2001:db8:1::{n:x}",
            Dhcid.Compute(Convert.FromHexString("000100012b3c4d5e001122334455"), $"host{n}.example.com."), 0, 1333, DdnsConflictResolution.CheckWithDhcid);

    private static NcrSender Sender(int port, StatisticsRegistry statistics, int limit = 1024) =>
        new(new DhcpDdnsConfig { EnableUpdates = true, ServerPort = (ushort)port, MaxQueueSize = (uint)limit }, statistics, NullLogger.Instance, (INcrTransport?)null)
        {
            RetryInterval = TimeSpan.FromMilliseconds(50),
            ProbeWait = TimeSpan.FromMilliseconds(20),
        };

    [Fact]
    public async Task RequestsSentWhileTheDaemonIsDownArriveInOrderWhenItListensAgain()
    {
        var port = LoopbackPorts.Free();
        var statistics = new StatisticsRegistry();
        await using var sender = Sender(port, statistics);

        for (var n = 1; n <= 5; n++)
        {
            Assert.True(sender.TrySend(Request(n)));
        }

        await WaitUntilAsync(() => sender.IsHolding);
        Assert.True(statistics.Value(NcrSender.RequeuedStatistic) >= 1);
        Assert.Equal(0, statistics.Value(NcrSender.SendErrorStatistic));
        await Task.Delay(200);
        Assert.True(sender.IsHolding);
        // Nothing was lost: all five wait (one of them perhaps taken out for the next probe).
        Assert.InRange(sender.QueueSize, 4, 5);

        using var daemon = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        daemon.Bind(new IPEndPoint(IPAddress.Loopback, port));
        var names = new List<string>();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (names.Distinct().Count() < 5)
        {
            var length = await daemon.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, deadline.Token);
            var json = Encoding.UTF8.GetString(buffer, 2, length - 2);
            names.Add(json[(json.IndexOf("\"fqdn\":\"", StringComparison.Ordinal) + 8)..json.IndexOf(".example.com.", StringComparison.Ordinal)]);
        }

        // A request may arrive twice (a probe whose error had not come back yet) but never out of order.
        Assert.Equal(["host1", "host2", "host3", "host4", "host5"], names.Distinct());
        await WaitUntilAsync(() => !sender.IsHolding && sender.QueueSize == 0);
    }

    [Fact]
    public async Task HeldQueueIsBoundedAndRejectsTheOverflowWithoutWaiting()
    {
        var statistics = new StatisticsRegistry();
        await using var sender = Sender(LoopbackPorts.Free(), statistics, limit: 3);
        Assert.True(sender.TrySend(Request(1)));
        await WaitUntilAsync(() => sender.IsHolding);

        var accepted = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var n = 2; n <= 10; n++)
        {
            accepted += sender.TrySend(Request(n)) ? 1 : 0;
        }

        Assert.True(started.ElapsedMilliseconds < 500);
        // The limit applies to new requests; the probe's request goes back on top of it.
        Assert.InRange(sender.QueueSize, 2, 4);
        Assert.Equal(9 - accepted, statistics.Value(NcrSender.QueueFullStatistic));
        Assert.True(accepted >= 1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }
}
