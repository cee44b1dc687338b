using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Ddns;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Tests.Ddns;

/// <summary>The DHCID (RFC 4701), Kea's NCR JSON and its datagram, and the sender's bounded queue.</summary>
public sealed class NcrFormatTests
{
    /// <summary>What Kea 2.2 sent for DUID 000100012b3c4d5e001122334455 and host1.example.com. (digest §2.7, captured).</summary>
    private const string Kea22Capture = """{"change-type":0,"forward-change":true,"reverse-change":true,"fqdn":"host1.example.com.","ip-address":"2001:db8:1::100","dhcid":"00020169CE9CF053F3C838556F3998B715EAF26F2FD8A9EC3D72C6BA639D4D125B7DEE","lease-expires-on":"19700101000000","lease-length":1333,"use-conflict-resolution":true}""";

    [Fact]
    public void DhcidMatchesTheRfc4701Example()
    {
        // RFC 4701 §3.6: DUID 00010006412df166010203040506 and chi6.example.com.
        var dhcid = Dhcid.Compute(Convert.FromHexString("00010006412df166010203040506"), "chi6.example.com");
        Assert.Equal("AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=", Convert.ToBase64String(dhcid));
    }

    [Theory]
    [InlineData("host1.example.com.")]
    [InlineData("HOST1.Example.com")]
    public void DhcidMatchesWhatKeaSentAndIgnoresCaseAndTheTrailingDot(string name) =>
        Assert.Equal("00020169CE9CF053F3C838556F3998B715EAF26F2FD8A9EC3D72C6BA639D4D125B7DEE",
            Convert.ToHexString(Dhcid.Compute(Convert.FromHexString("000100012b3c4d5e001122334455"), name)));

    [Fact]
    public void DhcidOfAnEmptyNameIsRefused() =>
        Assert.Throws<ArgumentException>(() => Dhcid.Compute([1, 2, 3], "."));

    private static NameChangeRequest Captured(DdnsConflictResolution mode = DdnsConflictResolution.CheckWithDhcid) =>
        new(NameChangeType.Add, true, true, "host1.example.com.", "2001:db8:1::100",
            Dhcid.Compute(Convert.FromHexString("000100012b3c4d5e001122334455"), "host1.example.com."), 0, 1333, mode);

    [Fact]
    public void JsonIsKea22sCaptureWithTheModeAppended()
    {
        var json = Captured().ToJson();
        Assert.Equal(Kea22Capture[..^1] + ",\"conflict-resolution-mode\":\"check-with-dhcid\"}", json);
    }

    [Fact]
    public void DatagramIsTheBigEndianLengthThenTheJson()
    {
        var datagram = Captured().ToDatagram();
        Assert.Equal(2 + 334, datagram.Length);
        Assert.Equal(new byte[] { 0x01, 0x4e }, datagram[..2]);
        Assert.Equal((byte)'{', datagram[2]);
        Assert.Equal((byte)'}', datagram[^1]);
    }

    [Theory]
    [InlineData((int)DdnsConflictResolution.CheckWithDhcid, true, "check-with-dhcid")]
    [InlineData((int)DdnsConflictResolution.NoCheckWithDhcid, false, "no-check-with-dhcid")]
    [InlineData((int)DdnsConflictResolution.CheckExistsWithDhcid, true, "check-exists-with-dhcid")]
    [InlineData((int)DdnsConflictResolution.NoCheckWithoutDhcid, false, "no-check-without-dhcid")]
    public void EveryModeIsSentInBothSpellings(int mode, bool use, string text)
    {
        var json = Captured((DdnsConflictResolution)mode).ToJson();
        Assert.Contains($"\"use-conflict-resolution\":{(use ? "true" : "false")}", json, StringComparison.Ordinal);
        Assert.EndsWith($"\"conflict-resolution-mode\":\"{text}\"}}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveCarriesTheLeaseExpiryInKeasFormat()
    {
        var request = Captured() with { ChangeType = NameChangeType.Remove, LeaseExpiresOn = 1_700_001_333 };
        Assert.Contains("\"change-type\":1,", request.ToJson(), StringComparison.Ordinal);
        Assert.Contains("\"lease-expires-on\":\"20231114223533\"", request.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullQueueRejectsNewRequestsWithoutBlockingAndCountsThem()
    {
        var statistics = new StatisticsRegistry();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new List<byte[]>();
        var config = new DhcpDdnsConfig { EnableUpdates = true, MaxQueueSize = 2 };
        var sender = new NcrSender(config, statistics, NullLogger.Instance, async (datagram, cancel) =>
        {
            await gate.Task.WaitAsync(cancel);
            lock (sent)
            {
                sent.Add(datagram);
            }
        });
        await using (sender)
        {
            // The first is taken by the (stalled) send loop; two more fill the queue; the rest are rejected at once.
            Assert.True(sender.TrySend(Captured()));
            await WaitUntilAsync(() => sender.QueueSize == 0);
            Assert.True(sender.TrySend(Captured()));
            Assert.True(sender.TrySend(Captured()));
            var started = System.Diagnostics.Stopwatch.StartNew();
            Assert.False(sender.TrySend(Captured()));
            Assert.False(sender.TrySend(Captured()));
            Assert.True(started.ElapsedMilliseconds < 500);
            Assert.Equal(2, statistics.Value(NcrSender.QueueFullStatistic));
            Assert.Equal(2, sender.QueueSize);

            gate.SetResult();
            await WaitUntilAsync(() => statistics.Value(NcrSender.SentStatistic) == 3);
            Assert.True(sender.TrySend(Captured()));
            await WaitUntilAsync(() => statistics.Value(NcrSender.SentStatistic) == 4);
        }

        Assert.Equal(4, sent.Count);
    }

    [Fact]
    public async Task SenderDeliversOneDatagramPerRequestOverUdp()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var statistics = new StatisticsRegistry();
        await using var sender = new NcrSender(new DhcpDdnsConfig { EnableUpdates = true, ServerPort = port }, statistics, NullLogger.Instance);
        Assert.True(sender.TrySend(Captured()));
        var buffer = new byte[2048];
        var received = await listener.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Captured().ToDatagram(), buffer[..received]);
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
