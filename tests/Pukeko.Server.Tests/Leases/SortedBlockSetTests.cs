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
        var operation = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3_000]);
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
