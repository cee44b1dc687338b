using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// Kea's client handler (digest §3.2 step 11): a client's second packet that arrives while its first
/// is being processed waits and is processed right after it; only one waits, so a third replaces the
/// second, which is dropped as a duplicate.
/// </summary>
public class ClientHandlerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_second_packet_waits_for_the_first_and_a_third_replaces_it_as_a_duplicate()
    {
        using var h = new PipelineHarness();
        var client = Pukeko.Protocol.Duids.Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);
        Dhcp6Message Request() => Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var calls = 0;
        h.On(HookNames.Lease6Select, _ =>
        {
            // The first packet stays inside its handler (holding the client's turn) until released.
            if (Interlocked.Increment(ref calls) == 1)
            {
                inside.Set();
                release.Wait(Patience);
            }

            return 0;
        });

        var first = Task.Run(() => h.SendAsync(Request()));
        Assert.True(inside.Wait(Patience));
        var second = h.SendAsync(Request());
        await Task.Delay(100);
        Assert.False(second.IsCompleted, "a second packet of the client was processed while the first was in progress");
        Assert.Equal(1, Volatile.Read(ref calls));

        var third = h.SendAsync(Request());
        Assert.Null(await second.WaitAsync(Patience));
        Assert.Equal(1, h.Statistics.Value("pkt6-duplicate"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
        Assert.False(third.IsCompleted);

        release.Set();
        var firstReply = await first.WaitAsync(Patience);
        var thirdReply = await third.WaitAsync(Patience);
        Assert.Equal(MessageType.Reply, firstReply!.Type);
        Assert.Equal(MessageType.Reply, thirdReply!.Type);
        Assert.Equal(AddressOf(firstReply)!.Address, AddressOf(thirdReply)!.Address);
        Assert.Equal(1, h.Store.Count);
    }

    [Fact]
    public async Task Information_requests_do_not_wait_for_the_clients_packet_in_progress()
    {
        using var h = new PipelineHarness();
        var client = Pukeko.Protocol.Duids.Duid.CreateLl(1, [2, 0, 0, 0, 0, 10]);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        h.On(HookNames.Lease6Select, _ =>
        {
            inside.Set();
            release.Wait(Patience);
            return 0;
        });

        var request = Task.Run(() => h.SendAsync(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client)));
        Assert.True(inside.Wait(Patience));
        try
        {
            // Kea serializes only the messages that change leases.
            var info = h.SendAsync(Create(MessageType.InformationRequest, clientId: client));
            Assert.True(info.IsCompleted);
            Assert.Equal(MessageType.Reply, (await info)!.Type);
        }
        finally
        {
            release.Set();
        }

        Assert.NotNull(await request.WaitAsync(Patience));
    }

    [Fact]
    public async Task Many_clients_sharing_stripes_each_keep_their_own_turn()
    {
        // 1000 clients over 256 stripes: stripes hold several, grow, and lose entries from the middle.
        var handler = new Pukeko.Server.Pipeline.ClientHandler();
        var duids = Enumerable.Range(0, 1000).Select(i => new byte[] { 0, 3, 0, 1, (byte)(i >> 8), (byte)i }).ToArray();
        foreach (var duid in duids)
        {
            Assert.True(await handler.EnterAsync(duid));
        }

        // A copy of the DUID (another packet's bytes) is the same client.
        var waiting = duids.Select(d => handler.EnterAsync((byte[])d.Clone()).AsTask()).ToArray();
        Assert.DoesNotContain(waiting, w => w.IsCompleted);

        // Every other client leaves first: its waiting packet takes over, the others still wait.
        for (var i = 0; i < duids.Length; i += 2)
        {
            handler.Leave(duids[i]);
        }

        for (var i = 0; i < duids.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(await waiting[i].WaitAsync(Patience));
            }
            else
            {
                Assert.False(waiting[i].IsCompleted);
            }
        }

        foreach (var duid in duids)
        {
            handler.Leave(duid);
        }

        for (var i = 1; i < duids.Length; i += 2)
        {
            Assert.True(await waiting[i].WaitAsync(Patience));
        }

        // Every turn ended: each client now gets its turn at once, and one leave ends it.
        foreach (var duid in duids)
        {
            handler.Leave(duid);
        }

        foreach (var duid in duids)
        {
            var again = handler.EnterAsync(duid);
            Assert.True(again.IsCompletedSuccessfully);
            Assert.True(await again);
            handler.Leave(duid);
        }
    }

    [Fact]
    public async Task Once_the_turn_passes_the_table_keeps_no_array_of_the_packet_that_left()
    {
        // The pipeline writes the next client's DUID into the array of the packet that left (LeaseRental.SetClientDuid).
        var handler = new Pukeko.Server.Pipeline.ClientHandler();
        byte[] first = [0, 3, 0, 1, 2, 0, 0, 0, 0, 1];
        byte[] second = [0, 3, 0, 1, 2, 0, 0, 0, 0, 1];
        Assert.True(await handler.EnterAsync(first));
        var waiting = handler.EnterAsync(second);
        Assert.False(waiting.IsCompleted);

        handler.Leave(first);
        Assert.True(await waiting.AsTask().WaitAsync(Patience));
        first[^1] = 2;

        // Another client (in the old array) is not taken for the one in progress, which still is.
        Assert.True(await handler.EnterAsync([0, 3, 0, 1, 2, 0, 0, 0, 0, 2]).AsTask().WaitAsync(Patience));
        var again = handler.EnterAsync([0, 3, 0, 1, 2, 0, 0, 0, 0, 1]);
        Assert.False(again.IsCompleted);
        handler.Leave(second);
        Assert.True(await again.AsTask().WaitAsync(Patience));
    }
}
