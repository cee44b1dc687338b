namespace Pukeko.Server.Logging;

/// <summary>
/// Kea debug levels (0..99) for <see cref="Microsoft.Extensions.Logging.LogLevel.Debug"/> and
/// <see cref="Microsoft.Extensions.Logging.LogLevel.Trace"/> messages.
/// <para>
/// A debug message's Kea debug level comes from its <c>EventId.Id</c>: an id in
/// <c>[100000, 200000)</c> means "debug level <c>(id - 100000) / 1000</c>"; the last three digits
/// are free so that ids stay unique inside one <c>[LoggerMessage]</c> class
/// (<c>EventId = KeaDebugLevel.TraceDetail + 3</c>). Any other id uses the default of its
/// <c>LogLevel</c>: <see cref="DefaultForDebug"/> (40) for Debug and
/// <see cref="DefaultForTrace"/> (55) for Trace. A logger configured
/// <c>severity: DEBUG, debuglevel: N</c> emits debug messages whose level is ≤ N.
/// The id has no effect on INFO and higher messages.
/// </para>
/// </summary>
internal static class KeaDebugLevel
{
    /// <summary>Start of the EventId range that carries an explicit debug level.</summary>
    public const int EventIdBase = 100_000;

    /// <summary>Width of the id block reserved for each debug level.</summary>
    public const int EventIdStride = 1_000;

    // Kea's customary levels, already encoded as EventId bases.
    public const int StartShutdown = EventIdBase + 0 * EventIdStride;
    public const int Command = EventIdBase + 10 * EventIdStride;
    public const int CommandData = EventIdBase + 20 * EventIdStride;
    public const int TraceBasic = EventIdBase + 40 * EventIdStride;
    public const int TraceBasicData = EventIdBase + 45 * EventIdStride;
    public const int TraceDetail = EventIdBase + 50 * EventIdStride;
    public const int TraceDetailData = EventIdBase + 55 * EventIdStride;

    /// <summary>Debug level of a LogLevel.Debug message without an explicit level.</summary>
    public const int DefaultForDebug = 40;

    /// <summary>Debug level of a LogLevel.Trace message without an explicit level.</summary>
    public const int DefaultForTrace = 55;

    /// <summary>EventId.Id that encodes <paramref name="level"/> (0..99) and a sequence number (0..999).</summary>
    public static int EventId(int level, int sequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, KeaSeverities.MaxDebugLevel);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sequence, EventIdStride);
        return EventIdBase + (level * EventIdStride) + sequence;
    }

    /// <summary>The debug level a Debug/Trace message with this id is emitted at.</summary>
    public static int Of(Microsoft.Extensions.Logging.LogLevel level, int eventId)
    {
        if (eventId >= EventIdBase && eventId < EventIdBase + ((KeaSeverities.MaxDebugLevel + 1) * EventIdStride))
        {
            return (eventId - EventIdBase) / EventIdStride;
        }
        return level == Microsoft.Extensions.Logging.LogLevel.Trace ? DefaultForTrace : DefaultForDebug;
    }
}
