namespace Pukeko.Server.Statistics;

/// <summary>One named statistic; updates are lock-free.</summary>
public sealed class Counter(string name)
{
    private long _value;

    public string Name { get; } = name;

    public long Value => Interlocked.Read(ref _value);

    public DateTimeOffset LastChanged { get; private set; } = DateTimeOffset.UtcNow;

    public void Increment() => Add(1);

    public void Add(long delta)
    {
        Interlocked.Add(ref _value, delta);
        LastChanged = DateTimeOffset.UtcNow;
    }

    public void Set(long value)
    {
        Interlocked.Exchange(ref _value, value);
        LastChanged = DateTimeOffset.UtcNow;
    }
}
