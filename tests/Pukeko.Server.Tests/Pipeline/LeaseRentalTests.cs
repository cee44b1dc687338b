using System.Reflection;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// A worker fills the same lease objects again for its next query only when nothing outside the pipeline could hold
/// them, and a filled lease carries nothing of the one before.
/// </summary>
public sealed class LeaseRentalTests
{
    private static readonly Duid ClientA = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x2a]);
    private static readonly Duid ClientB = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x2b]);

    [Fact]
    public void Callout_free_renewals_fill_the_same_lease_objects_and_each_client_keeps_its_own_lease()
    {
        using var h = new PipelineHarness();
        var a = TakeAddress(h, ClientA);
        var b = TakeAddress(h, ClientB);
        var seen = new List<(Lease6 Object, byte[] Duid)>();
        h.Processor.Allocation.Writer.Subscribe(new Recorder(seen));
        h.Time.Advance(TimeSpan.FromSeconds(1500));

        var replyA = Renew(h, ClientA, a);
        var replyB = Renew(h, ClientB, b);

        Assert.Equal(2, seen.Count);
        Assert.Same(seen[0].Object, seen[1].Object);
        Assert.Equal(ClientA.Bytes, seen[0].Duid);
        Assert.Equal(ClientB.Bytes, seen[1].Duid);
        Assert.Equal(a, AddressOf(replyA)!.Address);
        Assert.Equal(b, AddressOf(replyB)!.Address);
        Assert.Equal(ClientA.Bytes, h.Store.Get(a)!.Duid);
        Assert.Equal(ClientB.Bytes, h.Store.Get(b)!.Duid);
    }

    [Fact]
    public void With_a_callout_registered_each_query_gets_lease_objects_of_its_own()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Leases6Committed, _ => 0);
        var a = TakeAddress(h, ClientA);
        var b = TakeAddress(h, ClientB);
        var seen = new List<(Lease6 Object, byte[] Duid)>();
        h.Processor.Allocation.Writer.Subscribe(new Recorder(seen));
        h.Time.Advance(TimeSpan.FromSeconds(1500));

        Renew(h, ClientA, a);
        Renew(h, ClientB, b);

        Assert.Equal(2, seen.Count);
        Assert.NotSame(seen[0].Object, seen[1].Object);

        // What a callout could have kept is as the first query left it.
        Assert.Equal(ClientA.Bytes, seen[0].Object.Duid);
        Assert.Equal(a, seen[0].Object.Address);
    }

    [Fact]
    public void A_rented_lease_starts_empty_and_is_the_same_object_only_when_kept()
    {
        var rental = new LeaseRental();
        var first = rental.Rent();
        first.Address = Ipv6Address.Parse("2001:db8::1");
        first.Duid = [1, 2, 3];
        first.UserContext = "{}";
        rental.ReturnAll(keep: true);

        var again = rental.Rent();
        Assert.Same(first, again);
        Assert.Equal(default, again.Address);
        Assert.Empty(again.Duid);
        Assert.Null(again.UserContext);
        Assert.Equal(128, again.PrefixLength);
        rental.ReturnAll(keep: false);

        Assert.NotSame(first, rental.Rent());
    }

    [Fact]
    public void CopyFrom_copies_every_property_of_a_lease()
    {
        var source = new Lease6();
        var value = 1;
        foreach (var property in Settable)
        {
            property.SetValue(source, NotDefault(property.PropertyType, value++));
        }

        var copy = new Lease6();
        copy.CopyFrom(source);

        foreach (var property in Settable)
        {
            Assert.True(Equals(property.GetValue(source), property.GetValue(copy)), $"{property.Name} was not copied");
        }

        copy.Clear();
        var empty = new Lease6();
        foreach (var property in Settable)
        {
            var cleared = property.GetValue(copy);
            var fresh = property.GetValue(empty);
            Assert.True(Equals(fresh, cleared) || (fresh is byte[] f && cleared is byte[] c && f.Length == 0 && c.Length == 0), $"{property.Name} was not cleared");
        }
    }

    [Fact]
    public void Shared_arrays_are_the_client_s_only_when_equal()
    {
        var rental = new LeaseRental { ClientDuid = [1, 2, 3], HardwareAddress = [4, 5, 6, 7, 8, 9] };

        Assert.Same(rental.ClientDuid, rental.Share([1, 2, 3]));
        Assert.Same(rental.HardwareAddress, rental.Share([4, 5, 6, 7, 8, 9]));
        var other = rental.Share([1, 2, 4]);
        Assert.NotSame(rental.ClientDuid, other);
        Assert.Equal([1, 2, 4], other);

        rental.ReturnAll(keep: true);
        Assert.Empty(rental.ClientDuid);
        Assert.Null(rental.HardwareAddress);
    }

    private static readonly PropertyInfo[] Settable =
        [.. typeof(Lease6).GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.CanWrite)];

    private static object NotDefault(Type type, int value) =>
        type == typeof(Ipv6Address) ? Ipv6Address.Parse($"2001:db8::{value:x}")
        : type == typeof(byte[]) ? new[] { (byte)value }
        : type == typeof(string) ? $"text {value}"
        : type == typeof(bool) ? true
        : type.IsEnum ? Enum.ToObject(type, value)
        : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);

    private static Dhcp6Message Renew(PipelineHarness h, Duid client, Ipv6Address address) =>
        h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid, clientId: client)).Reply!;

    // Keeps the object, to tell whether the next query fills it again, and its DUID as it was then.
    private sealed class Recorder(List<(Lease6 Object, byte[] Duid)> seen) : ILeaseChangeObserver
    {
        public void OnLeaseChanged(in LeaseChange change) => seen.Add((change.New!, change.New!.Duid.ToArray()));
    }
}
