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
            // The rented leases are checked apart (LeaseRentalTests); the context's own one is filled through its API.
            if (field.FieldType != typeof(Pukeko.Server.Leases.LeaseRental))
            {
                field.SetValue(used, NotDefault(field.FieldType));
            }
        }

        used.ClientDuid = [1, 2, 3];
        used.RentedLeases.HardwareAddress = [4, 5, 6];
        used.RentedLeases.Rent();

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
        Assert.Null(reused.RentedLeases.HardwareAddress);
        Assert.Equal(0, reused.RentedLeases.Rented);
        Assert.Equal(0, reused.UsedPools.Count);
        foreach (var field in Fields)
        {
            if (field.Name.Contains("Query") || field.Name.Contains("Runtime") || field.Name.Contains("Now") || field.Name.Contains("ClientDuid"))
            {
                continue;
            }

            // The borrowed lists stay with the context on purpose, empty (the next test).
            // So does the spare transaction, which the next query checks before taking (the test after next), and the
            // rented leases (LeaseRentalTests).
            if ((field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(ListRental<>)) || field.FieldType == typeof(ReplyOptionRental)
                || field.Name == "_spareLeaseWork" || field.FieldType == typeof(Pukeko.Server.Leases.LeaseRental))
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
    public void Reply_options_come_back_emptied_only_when_the_packets_were_reused()
    {
        using var harness = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/80" } ] } ]
            """);
        var ctx = ProcessingContext.Rent(Packet(), harness.Runtime, 1);
        var ia = ctx.ReplyOptions.IaNa(1, 100, 200);
        var address = ctx.ReplyOptions.IaAddress(Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8:1::5"), 300, 400);
        address.Options.Add(new Pukeko.Protocol.Options.StatusCodeOption(Pukeko.Protocol.Options.StatusCode.Success, "ok"));
        ia.Options.Add(address);
        ctx.Return(packetsReused: true);

        ctx = ProcessingContext.Rent(Packet(), harness.Runtime, 2);
        var again = ctx.ReplyOptions.IaNa(7, 1, 2);
        var addressAgain = ctx.ReplyOptions.IaAddress(Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8:1::6"), 3, 4);
        Assert.Same(ia, again);
        Assert.Equal((7u, 1u, 2u), (again.Iaid, again.T1, again.T2));
        Assert.Empty(again.Options);
        Assert.Same(address, addressAgain);
        Assert.Equal(Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8:1::6"), addressAgain.Address);
        Assert.Empty(addressAgain.Options);

        // Packets not reused (a callout or HA may hold the reply): its options are never handed out again.
        ctx.Return(packetsReused: false);
        ctx = ProcessingContext.Rent(Packet(), harness.Runtime, 3);
        Assert.NotSame(again, ctx.ReplyOptions.IaNa(1, 0, 0));
        Assert.NotSame(addressAgain, ctx.ReplyOptions.IaAddress(default, 0, 0));
        ctx.Return();
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
