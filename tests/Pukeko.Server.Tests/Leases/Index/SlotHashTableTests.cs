using CsCheck;
using Pukeko.Server.Leases.Index;

namespace Pukeko.Server.Tests.Leases.Index;

/// <summary>
/// <see cref="SlotHashTable{THasher}"/> against a model, with hashes chosen by the test: few distinct home positions
/// and tags, so runs collide, wrap past the end of the array and are cut by removals (backward shifts) and growth.
/// </summary>
public sealed class SlotHashTableTests
{
    // A slot's hash is whatever the test put in the array: the table must take it from there when it moves an entry.
    private readonly struct ArrayHasher(ulong[] hashes) : ISlotHasher
    {
        public ulong Hash(int slot) => hashes[slot];
    }

    [Fact]
    public void Adds_and_removes_behave_like_a_set_of_slots_per_hash()
    {
        // Hashes from a handful of values whose top bits (home) and low bits (tag) collide often; the last value's
        // home is the array's last entry, so runs wrap around.
        var hashes = new[] { 0UL, 1UL, 0x8000_0000_0000_0001UL, 0xFFFF_FFFF_FFFF_FFFFUL, 0xFFFF_FFFF_FFFF_FFC0UL, 0x4000_0000_0000_0041UL };
        var operation = Gen.Select(Gen.Bool, Gen.Int[0, 199], Gen.Int[0, hashes.Length - 1]);
        operation.Array[1, 400].Sample(operations =>
        {
            var slotHashes = new ulong[200];
            var table = new SlotHashTable<ArrayHasher>(new ArrayHasher(slotHashes));
            var model = new Dictionary<int, ulong>();
            foreach (var (add, slot, hashIndex) in operations)
            {
                if (add)
                {
                    if (model.ContainsKey(slot))
                    {
                        continue;
                    }

                    slotHashes[slot] = hashes[hashIndex];
                    model[slot] = slotHashes[slot];
                    table.Add(slot, slotHashes[slot]);
                }
                else
                {
                    // The slot's last hash is the one it is filed under when present; when absent, removal must fail.
                    Assert.Equal(model.Remove(slot), table.Remove(slot, slotHashes[slot]));
                }

                Assert.Equal(model.Count, table.Count);
            }

            foreach (var hash in hashes)
            {
                var found = new List<int>();
                var probe = table.Candidates(hash);
                while (probe.Next(out var slot))
                {
                    if (slotHashes[slot] == hash)
                    {
                        found.Add(slot);
                    }
                }

                found.Sort();
                Assert.Equal(model.Where(entry => entry.Value == hash).Select(entry => entry.Key).Order(), found);
            }

            foreach (var (slot, hash) in model)
            {
                Assert.True(table.Contains(slot, hash));
            }
        }, iter: 500);
    }

    [Fact]
    public void Removing_an_absent_slot_changes_nothing()
    {
        var slotHashes = new ulong[] { 5, 5, 7 };
        var table = new SlotHashTable<ArrayHasher>(new ArrayHasher(slotHashes));
        table.Add(0, 5);
        table.Add(2, 7);
        Assert.False(table.Remove(1, 5));
        Assert.Equal(2, table.Count);
        Assert.True(table.Contains(0, 5));
        Assert.True(table.Contains(2, 7));
    }

    [Fact]
    public void A_table_sized_for_a_load_holds_it_and_finds_every_slot()
    {
        var slotHashes = new ulong[50_000];
        for (var i = 0; i < slotHashes.Length; i++)
        {
            slotHashes[i] = (ulong)i * 0x9E37_79B9_7F4A_7C15UL;
        }

        var table = new SlotHashTable<ArrayHasher>(new ArrayHasher(slotHashes));
        table.EnsureCapacity(slotHashes.Length);
        for (var i = 0; i < slotHashes.Length; i++)
        {
            table.Add(i, slotHashes[i]);
        }

        for (var i = 0; i < slotHashes.Length; i += 7)
        {
            Assert.True(table.Contains(i, slotHashes[i]));
            Assert.True(table.Remove(i, slotHashes[i]));
        }

        for (var i = 0; i < slotHashes.Length; i++)
        {
            Assert.Equal(i % 7 != 0, table.Contains(i, slotHashes[i]));
        }
    }
}
