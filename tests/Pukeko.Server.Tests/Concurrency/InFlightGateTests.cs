using Pukeko.Server.Concurrency;

namespace Pukeko.Server.Tests.Concurrency;

public sealed class InFlightGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void An_open_gate_lets_callers_in_and_counts_them()
    {
        var gate = new InFlightGate();
        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());
        Assert.Equal(2, gate.Inside);
        gate.Leave();
        gate.Leave();
        Assert.Equal(0, gate.Inside);
        Assert.True(gate.WhenOpen.IsCompleted);
    }

    [Fact]
    public async Task A_closed_gate_turns_callers_away_until_it_opens()
    {
        var gate = new InFlightGate();
        gate.Close();
        Assert.False(gate.TryEnter());
        Assert.Equal(0, gate.Inside);
        var reopened = gate.WhenOpen;
        Assert.False(reopened.IsCompleted);

        gate.Open();

        await reopened.WaitAsync(Patience);
        Assert.True(gate.TryEnter());
        gate.Leave();
    }

    [Fact]
    public async Task Waiting_for_empty_ends_when_the_last_caller_inside_leaves()
    {
        var gate = new InFlightGate();
        Assert.True(gate.TryEnter());
        gate.Close();
        var empty = gate.WaitEmptyAsync(Patience);
        await Task.Delay(100);
        Assert.False(empty.IsCompleted);

        gate.Leave();

        Assert.True(await empty.WaitAsync(Patience));
    }

    [Fact]
    public async Task Waiting_for_empty_is_bounded()
    {
        var gate = new InFlightGate();
        Assert.True(gate.TryEnter());
        gate.Close();

        Assert.False(await gate.WaitEmptyAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(1, gate.Inside);
        gate.Leave();
    }

    [Fact]
    public async Task Under_contention_nobody_is_inside_once_the_closed_gate_is_empty()
    {
        var gate = new InFlightGate();
        var inside = 0;
        var violations = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!gate.TryEnter())
                {
                    await gate.WhenOpen;
                    continue;
                }

                Interlocked.Increment(ref inside);
                Thread.SpinWait(50);
                Interlocked.Decrement(ref inside);
                gate.Leave();
            }
        })).ToArray();

        for (var round = 0; round < 200; round++)
        {
            gate.Close();
            Assert.True(await gate.WaitEmptyAsync(Patience));
            if (Volatile.Read(ref inside) != 0)
            {
                violations++;
            }

            Thread.SpinWait(200);
            if (Volatile.Read(ref inside) != 0)
            {
                violations++;
            }

            gate.Open();
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(Patience);
        Assert.Equal(0, violations);
    }
}
