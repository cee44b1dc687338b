namespace Pukeko.Server.HighAvailability;

/// <summary>The relationship's <c>multi-threading</c> map, with Kea 2.2's defaults (all off, 0 threads).</summary>
internal sealed record HaMultiThreading(bool Enabled = false, bool DedicatedListener = false, int ListenerThreads = 0, int ClientThreads = 0);
