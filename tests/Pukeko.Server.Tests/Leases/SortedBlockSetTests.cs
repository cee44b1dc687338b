using CsCheck;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// <see cref="SortedBlockSet{T}"/> behaves as <see cref="SortedSet{T}"/> through bulk builds, insertions that split
/// blocks, removals that empty them, walks from any floor and counts of any range.
/// </summary>
public sealed class SortedBlockSetTests
{
    [Fact]
    public void Behaves_like_a_sorted_set()
    {
        // Values up to 3 000 and up to 2 000 of them loaded: dozens of blocks, and enough changes to split and empty some.
        // Kind 3 adds above every value, as new expirations and iterative pools do (a new last block, not a split).
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3_000]);
        Gen.Select(Gen.Int[0, 3_000].Array[0, 2_000], operation.Array[0, 1_500]).Sample((initial, operations) =>
        {
            var expected = new SortedSet<int>(initial);
            var set = SortedBlockSet<int>.FromSorted(expected.ToArray());
            foreach (var (kind, value) in operations)
            {
                switch (kind)
                {
                    case 0:
                        Assert.Equal(expected.Add(value), set.Add(value));
                        break;
                    case 1:
                        Assert.Equal(expected.Remove(value), set.Remove(value));
                        break;
                    case 3:
                        var above = (expected.Count == 0 ? 0 : expected.Max) + 1 + (value % 3);
                        Assert.Equal(expected.Add(above), set.Add(above));
                        break;
                    default:
                        Assert.Equal(expected.Contains(value), set.Contains(value));
                        Assert.Equal(expected.Where(v => v >= value), Walk(set.From(value)));
                        foreach (var width in (int[])[0, 1, 300, 5_000])
                        {
                            Assert.Equal(expected.Count(v => v >= value && v <= value + width), set.CountBetween(value, value + width));
                            Assert.Equal(expected.Count(v => v >= value - width && v <= value), set.CountBetween(value - width, value));
                        }

                        Assert.Equal(0, set.CountBetween(value + 1, value));
                        break;
                }

                Assert.Equal(expected.Count, set.Count);
            }

            Assert.Equal(expected, Walk(set.GetEnumerator()));
        }, iter: 50);
    }

    [Fact]
    public void An_emptied_set_takes_values_again()
    {
        var set = SortedBlockSet<int>.FromSorted([1, 2]);
        Assert.True(set.Remove(1));
        Assert.True(set.Remove(2));
        Assert.False(set.Remove(2));
        Assert.Empty(Walk(set.From(0)));

        Assert.True(set.Add(5));
        Assert.True(set.Add(3));

        Assert.Equal([3, 5], Walk(set.GetEnumerator()));
    }

    [Fact]
    public void Steady_churn_at_both_ends_allocates_nothing()
    {
        // Renewals: each lease's expiration key leaves near the front and comes back above every other.
        var set = SortedBlockSet<long>.FromSorted(Enumerable.Range(0, 10_000).Select(i => (long)i).ToArray());
        long low = 0, high = 10_000;
        for (var i = 0; i < 2_000; i++)
        {
            Assert.True(set.Remove(low++));
            Assert.True(set.Add(high++));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            set.Remove(low++);
            set.Add(high++);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, set.Count);
        Assert.Equal(low, Walk(set.From(0))[0]);
    }

    private static List<long> Walk(SortedBlockSet<long>.Enumerator values)
    {
        var result = new List<long>();
        foreach (var value in values)
        {
            result.Add(value);
        }

        return result;
    }

    private static List<int> Walk(SortedBlockSet<int>.Enumerator values)
    {
        var result = new List<int>();
        foreach (var value in values)
        {
            result.Add(value);
        }

        return result;
    }
}
