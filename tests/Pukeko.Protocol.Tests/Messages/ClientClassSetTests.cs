using Pukeko.Protocol.Messages;

namespace Pukeko.Protocol.Tests.Messages;

public sealed class ClientClassSetTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(12)] // past the linear-search limit, where a hash set joins the list
    public void The_indexer_gives_the_classes_in_the_order_they_were_added_without_duplicates_or_removed_ones(int count)
    {
        var set = new ClientClassSet();
        for (var i = count - 1; i >= 0; i--)
        {
            Assert.True(set.Add($"c{i}"));
        }

        Assert.False(set.Add("c0"));
        Assert.True(set.Remove($"c{count - 1}"));

        Assert.Equal(count - 1, set.Count);
        var inOrder = Enumerable.Range(0, set.Count).Select(i => set[i]).ToList();
        Assert.Equal([.. set], inOrder);
        Assert.Equal($"c{count - 2}", set[0]);
        Assert.Equal("c0", set[set.Count - 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => set[set.Count]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void Cleared_the_set_is_empty_and_takes_new_classes_as_a_new_one_would(int count)
    {
        var set = new ClientClassSet();
        for (var i = 0; i < count; i++)
        {
            set.Add($"old{i}");
        }

        set.Clear();

        Assert.Empty(set);
        Assert.DoesNotContain("old0", set);
        Assert.False(set.Contains($"old{count - 1}"));
        Assert.True(set.Add("new"));
        Assert.True(set.Add("old0"));
        Assert.Equal(["new", "old0"], [.. set]);
    }
}
