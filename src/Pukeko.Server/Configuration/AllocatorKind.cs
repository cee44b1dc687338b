namespace Pukeko.Server.Configuration;

/// <summary>Kea's <c>allocator</c> / <c>pd-allocator</c> choices that Pukeko implements.</summary>
internal enum AllocatorKind
{
    /// <summary>Next block after the last one handed out (Kea's default).</summary>
    Iterative,

    /// <summary>Blocks in a random order without repeats until the pool is exhausted.</summary>
    Random,
}
