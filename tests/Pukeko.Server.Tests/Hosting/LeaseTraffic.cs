using System.Diagnostics;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;

namespace Pukeko.Server.Tests.Hosting;

/// <summary>
/// Keeps asking a <see cref="LoopbackServer"/> for leases, one new client after another, and
/// records every lease a Reply acknowledged, with when its Request was sent.
/// </summary>
internal sealed class LeaseTraffic : IAsyncDisposable
{
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(2);

    private readonly List<Ack> _acked = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseTraffic(LoopbackServer server) => _loop = Task.Run(() => RunAsync(server));

    public int Count
    {
        get
        {
            lock (_acked)
            {
                return _acked.Count;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> leases were acknowledged in all.</summary>
    public async Task WaitForAsync(int count)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Count < count)
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"only {Count} of {count} leases were acknowledged in 30 s");
            Assert.False(_loop.IsFaulted, _loop.Exception?.ToString());
            await Task.Delay(10);
        }
    }

    public async Task<IReadOnlyList<Ack>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_acked)
        {
            return [.. _acked];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reported by StopAsync when the test gets that far.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(LoopbackServer server)
    {
        for (var number = 1; !_stop.IsCancellationRequested; number++)
        {
            var client = LoopbackServer.Client(number);
            var sent = Stopwatch.GetTimestamp();
            if (await server.RequestAsync(client, ReplyWait) is { } address)
            {
                lock (_acked)
                {
                    _acked.Add(new Ack(client, address, sent));
                }
            }
        }
    }

    /// <summary>A lease acknowledged to <paramref name="Client"/>; <paramref name="SentAt"/> is the Request's <see cref="Stopwatch"/> timestamp.</summary>
    public sealed record Ack(Duid Client, Ipv6Address Address, long SentAt);
}
