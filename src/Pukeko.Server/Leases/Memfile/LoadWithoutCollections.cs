using System.Runtime;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Holds garbage collection off while a large lease file set loads. Nearly everything a load allocates survives
/// it, so each collection during the load only copies live leases into an older generation: for a million leases,
/// 0.3 s of pauses in the replay and 0.4 s in the index build, with the whole process stopped. The load ends with
/// one compacting collection anyway (<see cref="MemfileLeaseStore.Open"/>).
/// </summary>
/// <remarks>
/// A no-GC region belongs to the process, so only one load at a time takes it. The runtime ends the region on its
/// own if the load allocates more than it asked for, or refuses one it cannot reserve: then the load runs with
/// collections as before. Reserved but untouched memory is not resident.
/// </remarks>
internal sealed class LoadWithoutCollections : IDisposable
{
    /// <summary>Below this much lease file the pauses are too short to matter.</summary>
    private const long MinimumFileBytes = 32L << 20;

    /// <summary>Bytes allocated per byte of lease file, measured on a million-lease file (2.2), with room to spare.</summary>
    private const int BytesPerFileByte = 3;

    /// <summary>The most the region asks for: a larger load runs with collections for its rest.</summary>
    private const long MaximumRegionBytes = 4L << 30;

    private static int s_taken;

    private bool _entered;

    private LoadWithoutCollections(bool entered) => _entered = entered;

    /// <summary>True while this load holds the process's no-GC region (until disposed, or the runtime ended it).</summary>
    public bool HoldsRegion => _entered && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>Enters the region for loading <paramref name="files"/> when they are large enough; dispose to leave.</summary>
    public static LoadWithoutCollections Enter(IEnumerable<string> files)
    {
        var bytes = files.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
        if (bytes < MinimumFileBytes || Interlocked.CompareExchange(ref s_taken, 1, 0) != 0)
        {
            return new LoadWithoutCollections(false);
        }

        bool entered;
        try
        {
            entered = GC.TryStartNoGCRegion(Math.Min(bytes * BytesPerFileByte, MaximumRegionBytes));
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // More than this runtime's region can hold, or a region someone else started.
            entered = false;
        }

        if (!entered)
        {
            Volatile.Write(ref s_taken, 0);
        }

        return new LoadWithoutCollections(entered);
    }

    public void Dispose()
    {
        if (!_entered)
        {
            return;
        }

        _entered = false;
        try
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
        catch (InvalidOperationException)
        {
            // The runtime ended the region already (the load allocated more than it reserved).
        }
        finally
        {
            Volatile.Write(ref s_taken, 0);
        }
    }
}
