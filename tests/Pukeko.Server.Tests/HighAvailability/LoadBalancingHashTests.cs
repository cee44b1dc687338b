using System.Security.Cryptography;
using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Tests.HighAvailability;

public sealed class LoadBalancingHashTests
{
    // Values worked out by hand from query_filter.cc's loop (h = length; for each byte from the last: h = T[h ^ b]);
    // the same DUIDs sent to a real Kea 2.2 load-balancing primary were answered exactly when the index is 0.
    [Theory]
    [InlineData("000100012b3c4d5e001122334455", 128, 0)]
    [InlineData("00030001001122334455", 238, 0)]
    [InlineData("00030001001122334456", 10, 0)]
    [InlineData("00030001001122334457", 61, 1)]
    [InlineData("0002000009bf0000000000000001", 207, 1)]
    [InlineData("000400000000000000000000000000000000", 112, 0)]
    public void The_hash_and_the_server_index_are_keas(string duidHex, int hash, int index)
    {
        var duid = Convert.FromHexString(duidHex);
        Assert.Equal(hash, LoadBalancingHash.Compute(duid));
        Assert.Equal(index, LoadBalancingHash.ServerIndex(duid, 2));
        Assert.Equal(0, LoadBalancingHash.ServerIndex(duid, 1));
    }

    [Fact]
    public void A_one_byte_key_is_one_table_step_from_its_length()
    {
        // h = T[1 ^ 0x00] = T[1] = 175; h = T[1 ^ 0x01] = T[0] = 251.
        Assert.Equal(175, LoadBalancingHash.Compute([0x00]));
        Assert.Equal(251, LoadBalancingHash.Compute([0x01]));
        Assert.Equal(0, LoadBalancingHash.Compute([])); // the length alone
    }

    [Fact]
    public void The_table_is_rfc_3074s_permutation()
    {
        var values = Enumerable.Range(0, 256).Select(i => LoadBalancingHash.Compute([(byte)(i ^ 1)])).ToArray();
        Assert.Equal(256, values.Distinct().Count());
        Assert.Equal("50015bcb049a75f57f1224b2d303a4d75485a0de3a772a30e06256daa1c873a7", Convert.ToHexStringLower(SHA256.HashData(values)));
    }

    [Fact]
    public void Bytes_are_taken_from_the_last_to_the_first()
    {
        // Reversing the key changes the hash, so the direction matters and is Kea's.
        byte[] key = [0x00, 0x03, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x57];
        Assert.Equal(61, LoadBalancingHash.Compute(key));
        Assert.NotEqual(61, LoadBalancingHash.Compute([.. key.Reverse()]));
    }
}
