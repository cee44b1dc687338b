using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Leases;

/// <summary>The relay-id and remote-id rows Kea's extended-info tables get from a lease's relay information.</summary>
public sealed class LeaseExtendedInfoIdsTests
{
    private static string Ids(string? context)
    {
        var (relayIds, remoteIds) = LeaseExtendedInfoIds.Extract(context);
        return string.Join(" ", [.. relayIds.Select(i => "relay:" + Convert.ToHexStringLower(i)), .. remoteIds.Select(i => "remote:" + Convert.ToHexStringLower(i))]);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("""{ "k": 1 }""", "")]
    [InlineData("""{ "ISC": { "relays": [ { "hop": 0, "remote-id": "0102" } ] } }""", "")] // Kea 2.2's form is not read
    [InlineData("""{ "ISC": { "relay-info": [ { "hop": 0, "relay-id": "0A0B", "remote-id": "0102" }, { "hop": 1, "remote-id": "0x03:04" } ] } }""", "relay:0a0b remote:0102 remote:0304")]
    [InlineData("""{ "ISC": { "relay-info": [ { "hop": 0, "relay-id": "", "remote-id": "0102" }, { "hop": 1, "remote-id": "05" } ] } }""", "remote:05")] // an empty relay-id skips its relay, as in Kea
    [InlineData("""{ "ISC": { "relay-info": [ { "hop": 0, "relay-id": "zz", "remote-id": "0102" }, "not a map", { "remote-id": 7 } ] } }""", "")]
    [InlineData("""{ "ISC": { "relay-info": "broken" } }""", "")]
    [InlineData("not JSON", "")]
    public void Ids_are_read_as_kea_reads_them(string? context, string expected) => Assert.Equal(expected, Ids(context));
}
