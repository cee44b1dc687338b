using Pukeko.Server.Reservations;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>Reservations are found by their identifier's bytes, in their subnet or globally, without allocating.</summary>
public sealed class HostReservationIndexTests
{
    private static readonly HostReservation InSubnet = new() { IdentifierType = HostIdentifierType.Duid, Identifier = [0, 3, 0, 1, 2, 0, 0, 0, 0, 1], SubnetId = 7 };
    private static readonly HostReservation Global = new() { IdentifierType = HostIdentifierType.HwAddress, Identifier = [2, 0, 0, 0, 0, 1] };

    [Fact]
    public void Finds_a_host_by_scope_type_and_bytes_only()
    {
        var index = new HostReservationIndex([InSubnet, Global]);

        Assert.Same(InSubnet, index.Find(7, HostIdentifierType.Duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]));
        Assert.Same(Global, index.Find(null, HostIdentifierType.HwAddress, [2, 0, 0, 0, 0, 1]));
        Assert.Null(index.Find(8, HostIdentifierType.Duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]));
        Assert.Null(index.Find(null, HostIdentifierType.Duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]));
        Assert.Null(index.Find(7, HostIdentifierType.HwAddress, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]));
        Assert.Null(index.Find(7, HostIdentifierType.Duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 2]));
        Assert.Null(index.Find(7, HostIdentifierType.Duid, [0, 3, 0, 1, 2, 0, 0, 0, 0]));
    }

    [Fact]
    public void A_lookup_allocates_nothing()
    {
        var index = new HostReservationIndex([InSubnet, Global]);
        ReadOnlySpan<byte> hit = [0, 3, 0, 1, 2, 0, 0, 0, 0, 1];
        ReadOnlySpan<byte> miss = [0, 3, 0, 1, 2, 0, 0, 0, 0, 9];
        index.Find(7, HostIdentifierType.Duid, hit);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            index.Find(7, HostIdentifierType.Duid, hit);
            index.Find(7, HostIdentifierType.Duid, miss);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
