namespace Pukeko.Hooks.Testing;

/// <summary>
/// The system clock moved forward by what a test asked for (<see cref="HookTestServer.AdvanceTime"/>): leases age
/// without waiting, while timers (asynchronous callout limits) keep running on real time.
/// </summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
