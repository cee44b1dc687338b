using System.Runtime;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// The no-GC region a large lease file load runs in: taken only for 32 MB of files or more, by one load at a time, and
/// always given back. The large file is sparse (its length is set, nothing written), so it costs no disk.
/// </summary>
[Collection(NoGcRegionCollection.Name)]
public sealed class LoadWithoutCollectionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string File(string name, long length)
    {
        var path = Path.Combine(_directory.Path, name);
        using var stream = new FileStream(path, FileMode.Create);
        stream.SetLength(length);
        return path;
    }

    [Fact]
    public void Small_files_load_with_collections()
    {
        using var load = LoadWithoutCollections.Enter([File("a.csv", 16L << 20), File("b.csv", 15L << 20), Path.Combine(_directory.Path, "missing.csv")]);
        Assert.False(load.HoldsRegion);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void A_large_load_holds_the_region_alone_and_gives_it_back()
    {
        var large = File("leases.csv", 40L << 20);
        using (var first = LoadWithoutCollections.Enter([large]))
        {
            Assert.True(first.HoldsRegion);

            // A second load meanwhile runs with collections, and leaving it does not end the first one's region.
            using (var second = LoadWithoutCollections.Enter([large]))
            {
                Assert.False(second.HoldsRegion);
            }

            Assert.True(first.HoldsRegion);
        }

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        using var again = LoadWithoutCollections.Enter([large]);
        Assert.True(again.HoldsRegion);
    }

    [Fact]
    public void A_load_that_allocates_more_than_it_asked_for_ends_with_collections_and_leaves_cleanly()
    {
        using (var load = LoadWithoutCollections.Enter([File("leases.csv", 40L << 20)]))
        {
            Assert.True(load.HoldsRegion);

            // Three bytes per file byte asked for (120 MB); 256 MB of small objects makes the runtime end the region.
            var kept = new List<byte[]>();
            for (var i = 0; i < 4096; i++)
            {
                kept.Add(new byte[64 * 1024]);
            }

            Assert.False(load.HoldsRegion);
            GC.KeepAlive(kept);
        }

        using var again = LoadWithoutCollections.Enter([File("again.csv", 40L << 20)]);
        Assert.True(again.HoldsRegion);
    }
}

/// <summary>Tests that take the process's no-GC region run one at a time, and apart from each other's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NoGcRegionCollection
{
    public const string Name = "no-GC region";
}
