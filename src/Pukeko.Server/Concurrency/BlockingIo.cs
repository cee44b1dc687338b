namespace Pukeko.Server.Concurrency;

/// <summary>
/// Whether the current thread may block on I/O. A packet worker is a thread of its own that does nothing but run
/// packets, so, like a Kea worker thread, it may wait on a database socket: the statement then costs one blocking
/// round trip instead of an asynchronous one, whose completion crosses to the socket engine's thread and then to a
/// thread-pool thread that runs the rest of the packet. Backends ask <see cref="IsAllowed"/> at each operation;
/// anywhere else (control commands, timers, a packet resumed after it was parked) the flag is off and they stay
/// asynchronous.
/// </summary>
internal static class BlockingIo
{
    [ThreadStatic]
    private static bool t_allowed;

    /// <summary>True on a packet worker's own thread.</summary>
    public static bool IsAllowed => t_allowed;

    /// <summary>Marks the calling thread as one that may block; for a thread that runs only packets.</summary>
    public static void AllowOnThisThread() => t_allowed = true;
}
