using Pukeko.Server.Control;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Tests.Control;

public sealed class LeaseJsonTests
{
    // Found with fuzz/Pukeko.Fuzz's "leasefile" target, once it also built lease6-get's answer (after the "command"
    // target had found repeated keys in commands): a lease file row whose user context repeats a key loaded fine,
    // but lease6-get's answer threw ArgumentException when serialized, outside the dispatcher, so the control socket
    // closed without an answer.
    private const string RowWithRepeatedKey =
        "2001:db8:1::10,00:01:02,4000,1700004000,1,3000,0,1,128,0,0,,,0,{ \"a\": 1&#x2c \"a\": 2 },0,0,0";

    [Fact]
    public void A_user_context_that_repeats_a_key_is_shown_with_its_last_value()
    {
        Assert.True(LeaseCsvRowParser.TryParse(RowWithRepeatedKey, LeaseCsvSchema.ColumnCount, out var lease, out var error, out _), error);

        var json = LeaseJson.ToJson(lease!);
        var text = CommandJson.Serialize(json);

        Assert.Equal(2, json["user-context"]!["a"]!.GetValue<int>());
        Assert.Contains("\"a\": 2", text, StringComparison.Ordinal);
    }
}
