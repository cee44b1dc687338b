using Pukeko.Hooks;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Tests.Hosting;

/// <summary>
/// The transport's workers through real sockets: a packet that waits (parked by a callout) holds no
/// worker, and a callout that blocks a worker gets another worker started beside it.
/// </summary>
public sealed class WorkerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static bool IsFrom(CalloutHandle handle, Duid client) =>
        handle.GetArgument<Dhcp6Packet>("query6").Message.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid == client;

    /// <summary>
    /// One worker: Kea's single thread with no queue, the same behind Kea's ring buffer (<c>dhcp-queue-control</c>), or
    /// multi-threading with one thread (which receives for itself, as every multi-threaded worker does).
    /// </summary>
    private static System.Text.Json.Nodes.JsonObject OneWorker(bool queued, bool threads = false)
    {
        var config = LoopbackServer.Dhcp6(threads: 1);
        if (!threads)
        {
            config["multi-threading"] = new System.Text.Json.Nodes.JsonObject { ["enable-multi-threading"] = false };
        }

        if (queued)
        {
            config["dhcp-queue-control"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "enable-queue": true, "queue-type": "kea-ring6", "capacity": 32 }""");
        }

        return config;
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task A_callout_that_blocks_the_only_worker_gets_a_worker_started_beside_it_and_other_clients_are_served(bool queued, bool threads)
    {
        await using var server = await LoopbackServer.StartAsync(OneWorker(queued, threads));
        Assert.Equal(!queued, server.Server.Transport!.ReceivesInWorkers);
        Assert.Equal(1, server.Server.Transport!.LiveWorkers);
        var blocked = LoopbackServer.Client(1);
        var other = LoopbackServer.Client(2);

        // One packet first, so the pipeline's first-time costs (JIT) are paid before the watchdog is watching: on a
        // loaded machine they can exceed the stall threshold and make a second, unrelated stall.
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(9), Patience));
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, handle =>
        {
            if (IsFrom(handle, blocked))
            {
                entered.Set();
                release.Wait(Patience); // a synchronous callout that blocks its thread
            }

            return 0;
        });

        try
        {
            await server.SendRequestAsync(blocked);
            Assert.True(entered.Wait(Patience));
            await server.SendRequestAsync(other);
            var first = await server.ReceiveRepliesAsync(1, Patience);
            Assert.Equal([other], first);
            // At least the blocked worker counts as stalled and got a worker beside it (a machine so loaded that the
            // new worker's packet also took a second would add one more, which is right too).
            Assert.InRange(server.Server.Statistics.Value("pkt6-worker-stalled"), 1, 2);
            Assert.InRange(server.Server.Transport!.LiveWorkers, 2, 3);
        }
        finally
        {
            release.Set();
        }

        Assert.Equal([blocked], await server.ReceiveRepliesAsync(1, Patience));

        // The extra worker ends once the stalled one is back and a packet has passed.
        for (var i = 3; i < 12 && server.Server.Transport!.LiveWorkers > 1; i++)
        {
            Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(i), Patience));
        }

        Assert.Equal(1, server.Server.Transport!.LiveWorkers);
    }

    [Fact]
    public async Task What_a_stalled_worker_received_in_the_same_batch_is_taken_over_by_the_worker_started_beside_it()
    {
        await using var server = await LoopbackServer.StartAsync(OneWorker(queued: false));
        Assert.Equal(Dhcp6ServerBatch, server.Server.Transport!.Batch);
        var slow = LoopbackServer.Client(1);
        var blocked = LoopbackServer.Client(2);
        var other = LoopbackServer.Client(3);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(9), Patience));

        using var slowEntered = new ManualResetEventSlim();
        using var sent = new ManualResetEventSlim();
        using var blockedEntered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, handle =>
        {
            if (IsFrom(handle, slow))
            {
                // Holds the worker until both of the next queries wait in the socket, so its next receive takes both.
                slowEntered.Set();
                sent.Wait(Patience);
            }
            else if (IsFrom(handle, blocked))
            {
                blockedEntered.Set();
                release.Wait(Patience);
            }

            return 0;
        });

        try
        {
            await server.SendRequestAsync(slow);
            Assert.True(slowEntered.Wait(Patience));
            await server.SendRequestAsync(blocked);
            await server.SendRequestAsync(other);
            await Task.Delay(50);
            sent.Set();
            Assert.Equal([slow], await server.ReceiveRepliesAsync(1, Patience));
            Assert.True(blockedEntered.Wait(Patience));

            // "other" sits behind "blocked" in the worker's batch: only the worker started beside it can answer it.
            Assert.Equal([other], await server.ReceiveRepliesAsync(1, Patience));
            Assert.InRange(server.Server.Statistics.Value("pkt6-worker-stalled"), 1, 2);
        }
        finally
        {
            release.Set();
        }

        Assert.Equal([blocked], await server.ReceiveRepliesAsync(1, Patience));
    }

    /// <summary>Datagrams per receive call on a memfile server without host databases.</summary>
    private const int Dhcp6ServerBatch = Pukeko.Server.Transport.TransportSettings.MemoryBatch;

    [Fact]
    public async Task Without_threads_the_worker_receives_for_itself_unless_queue_control_asks_for_a_queue_and_a_reconfiguration_waits_for_it()
    {
        // Kea without multi-threading and without dhcp-queue-control has no packet queue: its one thread receives.
        await using var server = await LoopbackServer.StartAsync(OneWorker(queued: false));
        var transport = server.Server.Transport!;
        Assert.True(transport.ReceivesInWorkers);
        for (var i = 1; i <= 20; i++)
        {
            Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(i), Patience));
        }

        Assert.Equal(0, server.Server.Statistics.Value("pkt6-queue-full"));

        // A reconfiguration pauses the worker between packets and swaps the pipeline; the same transport stays.
        var renewed = OneWorker(queued: false);
        renewed["valid-lifetime"] = 5000;
        Assert.Equal(0, (int)(await server.ConfigSetAsync(renewed))["result"]!);
        Assert.Same(transport, server.Server.Transport);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(21), Patience));

        // With queue control a receive thread fills Kea's ring buffer for the one worker: a new transport, queued.
        Assert.Equal(0, (int)(await server.ConfigSetAsync(OneWorker(queued: true)))["result"]!);
        Assert.False(server.Server.Transport!.ReceivesInWorkers);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(22), Patience));
    }

    [Fact]
    public async Task With_threads_every_worker_receives_on_the_one_socket_whose_buffer_the_packet_queue_size_bounds()
    {
        var config = LoopbackServer.Dhcp6(threads: 2);
        config["multi-threading"]!["packet-queue-size"] = 100;
        await using var server = await LoopbackServer.StartAsync(config);
        var transport = server.Server.Transport!;
        Assert.True(transport.ReceivesInWorkers);
        Assert.Equal(2, transport.LiveWorkers);

        // 100 packets of 2 KB asked for; Linux reports twice what was set (its bookkeeping share).
        Assert.InRange(transport.ReceiveBufferBytes, 100 * 2048, 2 * 100 * 2048);
        var clients = Enumerable.Range(1, 40).Select(LoopbackServer.Client).ToArray();
        foreach (var client in clients)
        {
            await server.SendRequestAsync(client);
        }

        var answered = await server.ReceiveRepliesAsync(clients.Length, Patience);
        Assert.True(answered.ToHashSet().SetEquals(clients), $"{answered.Count} answered");
        Assert.Equal(0, server.Server.Statistics.Value("pkt6-queue-full"));
    }

    [Fact]
    public async Task A_parked_packet_holds_no_worker_and_its_reply_leaves_when_it_is_unparked()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(threads: 1));
        var parkedClient = LoopbackServer.Client(1);
        object? parked = null;
        ParkingLotHandle? lot = null;
        using var wasParked = new ManualResetEventSlim();
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Leases6Committed, handle =>
        {
            if (IsFrom(handle, parkedClient))
            {
                parked = handle.GetArgument<Dhcp6Packet>("query6");
                lot = handle.ParkingLot;
                lot!.Reference(parked);
                handle.Status = NextStep.Park;
                wasParked.Set();
            }

            return 0;
        });

        await server.SendRequestAsync(parkedClient);
        Assert.True(wasParked.Wait(Patience));

        // The only worker is free: another client is answered while the first one is parked.
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(2), Patience));
        Assert.Equal(0, server.Server.Statistics.Value("pkt6-worker-stalled"));

        Assert.True(lot!.Unpark(parked!));
        Assert.Equal([parkedClient], await server.ReceiveRepliesAsync(1, Patience));
    }

    [Fact]
    public async Task Beyond_the_unfinished_packet_bound_a_worker_waits_for_its_own_packet_instead_of_taking_more()
    {
        // Parked packets stand in for ones waiting on a database; the parking lot's own limit (Kea's default 256, the
        // same number) is raised so that the transport's bound is the one met.
        var config = LoopbackServer.Dhcp6(threads: 1);
        config["parked-packet-limit"] = 1000;
        await using var server = await LoopbackServer.StartAsync(config);
        var transport = server.Server.Transport!;
        var parked = new System.Collections.Concurrent.ConcurrentQueue<(ParkingLotHandle Lot, object Packet)>();
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Leases6Committed, handle =>
        {
            var packet = handle.GetArgument<Dhcp6Packet>("query6");
            handle.ParkingLot!.Reference(packet);
            handle.Status = NextStep.Park;
            parked.Enqueue((handle.ParkingLot, packet));
            return 0;
        });

        // Up to the bound, parked packets hold no worker (sent in steps so the 64-packet queue never overflows).
        var limit = Pukeko.Server.Transport.UdpTransport.MaxUnfinished;
        var sent = 0;
        while (sent < limit)
        {
            for (var i = 0; i < 32 && sent < limit; i++)
            {
                await server.SendRequestAsync(LoopbackServer.Client(1000 + sent++));
            }

            Assert.True(SpinWait.SpinUntil(() => transport.UnfinishedPackets == sent, Patience), $"{transport.UnfinishedPackets} unfinished of {sent}");
        }

        // Two more: each is parked too, but its worker waits for it, so the watchdog starts workers beside them.
        await server.SendRequestAsync(LoopbackServer.Client(1000 + sent++));
        await server.SendRequestAsync(LoopbackServer.Client(1000 + sent++));
        Assert.True(SpinWait.SpinUntil(() => parked.Count == sent, Patience), $"{parked.Count} parked of {sent}, {transport.UnfinishedPackets} unfinished, {transport.LiveWorkers} workers, stalled {server.Server.Statistics.Value("pkt6-worker-stalled")}, received {server.Server.Statistics.Value("pkt6-received")}, dropped {server.Server.Statistics.Value("pkt6-receive-drop")}");
        Assert.Equal(limit, transport.UnfinishedPackets);
        Assert.True(SpinWait.SpinUntil(() => transport.LiveWorkers >= 2, Patience), "no worker was started beside the waiting one");
        Assert.True(SpinWait.SpinUntil(() => server.Server.Statistics.Value("pkt6-worker-stalled") >= 1, Patience));

        // Unparked, every one is answered and nothing stays unfinished (in steps, so the test's own socket buffer
        // does not overflow with 258 replies at once).
        var all = parked.ToArray();
        for (var first = 0; first < all.Length; first += 32)
        {
            var step = all.Skip(first).Take(32).ToArray();
            foreach (var (lot, packet) in step)
            {
                Assert.True(lot.Unpark(packet));
            }

            Assert.Equal(step.Length, (await server.ReceiveRepliesAsync(step.Length, Patience)).Count);
        }

        Assert.True(SpinWait.SpinUntil(() => transport.UnfinishedPackets == 0, Patience));
    }
}
