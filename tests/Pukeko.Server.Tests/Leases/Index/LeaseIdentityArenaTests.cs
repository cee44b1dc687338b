using CsCheck;
using Pukeko.Server.Leases.Index;

namespace Pukeko.Server.Tests.Leases.Index;

/// <summary><see cref="LeaseIdentityArena"/> gives back what was stored, in every size class, while blobs are freed and reused.</summary>
public sealed class LeaseIdentityArenaTests
{
    [Fact]
    public void Gives_back_what_was_stored_while_others_are_freed_and_reused()
    {
        // DUIDs from empty to 300 bytes (small classes and large blobs), hardware addresses absent, empty or up to 20 bytes.
        var identity = Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 20], Gen.Bool);
        var operation = Gen.Select(Gen.Bool, identity);
        operation.Array[1, 300].Sample(operations =>
        {
            var arena = new LeaseIdentityArena();
            var stored = new List<(int Reference, byte[] Duid, byte[]? Hardware)>();
            var pick = 0;
            foreach (var (store, (duid, hardware, hasHardware)) in operations)
            {
                if (store || stored.Count == 0)
                {
                    var reference = arena.Store(duid, hardware, hasHardware);
                    Assert.DoesNotContain(stored, s => s.Reference == reference);
                    stored.Add((reference, duid, hasHardware ? hardware : null));
                }
                else
                {
                    pick = (pick + duid.Length) % stored.Count;
                    arena.Free(stored[pick].Reference);
                    stored.RemoveAt(pick);
                }
            }

            foreach (var (reference, duid, hardware) in stored)
            {
                Assert.Equal(duid, arena.Duid(reference).ToArray());
                Assert.Equal(hardware is not null, arena.TryGetHardware(reference, out var read));
                Assert.Equal(hardware ?? [], read.ToArray());
                Assert.True(arena.Holds(reference, duid, hardware, hardware is not null));
                Assert.False(arena.Holds(reference, duid, hardware, hardware is null));
            }
        }, iter: 300);
    }

    [Fact]
    public void An_empty_hardware_address_is_not_a_missing_one()
    {
        var arena = new LeaseIdentityArena();
        var empty = arena.Store([1, 2], [], hasHardware: true);
        var none = arena.Store([1, 2], [], hasHardware: false);
        Assert.True(arena.TryGetHardware(empty, out var hardware));
        Assert.True(hardware.IsEmpty);
        Assert.False(arena.TryGetHardware(none, out _));
    }
}
