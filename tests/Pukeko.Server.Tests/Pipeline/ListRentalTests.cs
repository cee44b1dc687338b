using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Tests.Pipeline;

public sealed class ListRentalTests
{
    [Fact]
    public void Each_rent_until_the_return_is_a_list_of_its_own_and_the_same_lists_come_back_empty()
    {
        var rental = default(ListRental<int>);
        var lists = Enumerable.Range(0, 9).Select(_ => rental.Rent()).ToList();
        Assert.Equal(9, lists.Distinct().Count());
        for (var i = 0; i < lists.Count; i++)
        {
            lists[i].Add(i);
        }

        rental.ReturnAll();

        Assert.Equal(0, rental.Rented);
        Assert.All(lists, Assert.Empty);
        Assert.Same(lists[0], rental.Rent());
        Assert.Same(lists[1], rental.Rent());
    }

    [Fact]
    public void A_list_that_grew_large_is_let_go_instead_of_kept()
    {
        var rental = default(ListRental<int>);
        var big = rental.Rent();
        big.AddRange(Enumerable.Range(0, RentalLimits.MaxKept + 1));

        rental.ReturnAll();

        Assert.NotSame(big, rental.Rent());
    }
}
