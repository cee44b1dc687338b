using System.Text.Json.Nodes;
using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>The peer transport against a scripted HTTP/1.1 peer whose kept-alive connections can go silent.</summary>
public sealed class HttpHaPeerChannelTests
{
    [Fact]
    public async Task After_a_request_times_out_the_next_one_uses_a_fresh_connection_not_another_silent_pooled_one()
    {
        var answerDelay = TimeSpan.FromMilliseconds(300);
        var silencedUpTo = 0;
        var never = new TaskCompletionSource<ScriptedAnswer>();
        await using var peer = new ScriptedHaPeer(async (_, connection) =>
        {
            // A split: connections made before it never answer again; those made after it do.
            if (connection <= Volatile.Read(ref silencedUpTo))
            {
                return await never.Task;
            }

            await Task.Delay(answerDelay);
            return ScriptedAnswer.Kea(0, "HA peer status returned.");
        });
        var config = new HaPeerConfig { Name = "server2", Url = peer.Url, Role = HaRole.Secondary };
        var heartbeat = new JsonObject { ["command"] = "ha-heartbeat", ["service"] = new JsonArray("dhcp6") };
        using var channel = new HttpHaPeerChannel();

        // A burst of concurrent requests leaves several connections in the pool (as lease-update bursts do).
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => channel.SendAsync(config, heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None)));
        Assert.Equal(3, peer.ConnectionCount);
        answerDelay = TimeSpan.Zero;

        Volatile.Write(ref silencedUpTo, peer.ConnectionCount);
        var timedOut = await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(config, heartbeat, TimeSpan.FromMilliseconds(500), CancellationToken.None));
        Assert.Contains("did not answer", timedOut.Message, StringComparison.Ordinal);

        var answer = await channel.SendAsync(config, heartbeat, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.Equal(4, peer.ConnectionCount);
    }
}
