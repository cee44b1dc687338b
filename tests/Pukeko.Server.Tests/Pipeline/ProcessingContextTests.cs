using System.Reflection;
using System.Runtime.CompilerServices;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Pipeline;

public sealed class ProcessingContextTests
{
    private static readonly FieldInfo[] Fields = typeof(ProcessingContext).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    [Fact]
    public void A_returned_context_is_rented_again_on_its_thread_with_nothing_of_its_last_query_left()
    {
        using var harness = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/80" } ] } ]
            """);
        var used = ProcessingContext.Rent(Packet(), harness.Runtime, 1);

        // Every field gets a value that is not its default: a field added later and left out of Return fails here.
        foreach (var field in Fields)
        {
            field.SetValue(used, NotDefault(field.FieldType));
        }

        used.UsedPools.Add(harness.Config.Subnets[0].Pools[0]);
        Assert.True(used.UsedPools.Count > 0);
        used.Return();

        var query = Packet();
        var reused = ProcessingContext.Rent(query, harness.Runtime, 42);

        Assert.Same(used, reused);
        Assert.Same(query, reused.Query);
        Assert.Same(harness.Runtime, reused.Runtime);
        Assert.Equal(42, reused.Now);
        Assert.Empty(reused.ClientDuid);
        Assert.Equal(0, reused.UsedPools.Count);
        foreach (var field in Fields)
        {
            if (field.Name.Contains("Query") || field.Name.Contains("Runtime") || field.Name.Contains("Now") || field.Name.Contains("ClientDuid"))
            {
                continue;
            }

            // The borrowed lists stay with the context on purpose, empty (the next test).
            if (field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(ListRental<>))
            {
                continue;
            }

            var value = field.GetValue(reused);
            var expected = field.FieldType.IsValueType ? Activator.CreateInstance(field.FieldType) : null;
            Assert.True(Equals(expected, value), $"{field.Name} kept {value} from the last query");
        }
    }

    [Fact]
    public void Lists_a_query_borrowed_come_back_empty_for_the_next_query()
    {
        using var harness = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/80" } ] } ]
            """);
        var ctx = ProcessingContext.Rent(Packet(), harness.Runtime, 1);
        var leases = ctx.RentLeaseList();
        var retired = ctx.RentLeaseList();
        var hints = ctx.RentHintList();
        var placed = ctx.RentPlacedLeaseList();
        Assert.NotSame(leases, retired);
        leases.Add(null!);
        retired.Add(null!);
        hints.Add(default);
        placed.Add(default);
        Assert.Equal(4, ctx.RentedLists);

        ctx.Return();
        var next = ProcessingContext.Rent(Packet(), harness.Runtime, 2);

        Assert.Same(ctx, next);
        Assert.Equal(0, next.RentedLists);
        var again = next.RentLeaseList();
        Assert.Same(leases, again);
        Assert.Empty(again);
        Assert.Empty(retired);
        Assert.Empty(hints);
        Assert.Empty(placed);
        next.Return();
    }

    [Fact]
    public void Without_a_spare_each_rent_is_a_new_context()
    {
        using var harness = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/80" } ] } ]
            """);

        var first = ProcessingContext.Rent(Packet(), harness.Runtime, 1);
        var second = ProcessingContext.Rent(Packet(), harness.Runtime, 1);

        Assert.NotSame(first, second);
    }

    private static Dhcp6Packet Packet() => new(new Dhcp6Message(MessageType.Solicit, 1));

    private static object NotDefault(Type type)
    {
        if (type == typeof(bool))
        {
            return true;
        }

        if (type == typeof(long))
        {
            return 7L;
        }

        if (type == typeof(string))
        {
            return "left over";
        }

        if (type.IsArray)
        {
            return Array.CreateInstance(type.GetElementType()!, 1);
        }

        if (type.IsValueType)
        {
            // Structs (the pools used) are filled through their own API above.
            return Activator.CreateInstance(type)!;
        }

        var concrete = type.IsAbstract || type.IsInterface
            ? type.Assembly.GetTypes().First(t => type.IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false })
            : type;
        return RuntimeHelpers.GetUninitializedObject(concrete);
    }
}
