namespace Pukeko.Server.Tests.Support;

/// <summary>TimeProvider whose timers only fire when a test says so.</summary>
public sealed class LeaseManualTimeProvider : TimeProvider
{
    private readonly List<LeaseManualTimer> _timers = [];

    public IReadOnlyList<LeaseManualTimer> Timers => _timers;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new LeaseManualTimer(callback, state, dueTime, period);
        _timers.Add(timer);
        return timer;
    }
}
