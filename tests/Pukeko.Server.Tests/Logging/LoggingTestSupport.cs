using Pukeko.Server.Logging;

namespace Pukeko.Server.Tests.Logging;

/// <summary>A fixed clock in a fixed +02:00 zone.</summary>
internal sealed class FixedClock(DateTimeOffset utc) : TimeProvider
{
    public static readonly TimeZoneInfo Zone =
        TimeZoneInfo.CreateCustomTimeZone("Test+2", TimeSpan.FromHours(2), "Test+2", "Test+2");

    public DateTimeOffset Now { get; set; } = utc;

    public override DateTimeOffset GetUtcNow() => Now;

    public override TimeZoneInfo LocalTimeZone => Zone;
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pukeko-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Harness
{
    // 2025-03-04 10:05:06.789 UTC = 12:05:06.789 local (+02:00)
    public static readonly DateTimeOffset Instant = new(2025, 3, 4, 10, 5, 6, 789, TimeSpan.Zero);

    public static KeaLoggerProvider Create(out StringWriter stdout, out StringWriter stderr, bool verbose = false, long minRotation = 204_800)
    {
        stdout = new StringWriter();
        stderr = new StringWriter();
        return new KeaLoggerProvider(new KeaLoggingOptions
        {
            Clock = new FixedClock(Instant),
            ProcessId = 4242,
            ThreadId = static () => 7,
            Stdout = stdout,
            Stderr = stderr,
            Verbose = verbose,
            MinimumRotationSize = minRotation,
            HostName = "testhost",
            SyslogSocketPath = "/nonexistent/pukeko-test-log",
        });
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
