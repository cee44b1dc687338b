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
}
