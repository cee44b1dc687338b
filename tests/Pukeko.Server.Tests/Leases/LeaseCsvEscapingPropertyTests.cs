using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

public class LeaseCsvEscapingPropertyTests
{
    // Code points weighted towards the characters escaping cares about: controls, ',', '&', the
    // ASCII edges, two- to four-byte UTF-8 (surrogate code points excluded: they are not text).
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (4, Gen.Int[0x20, 0x7e]),
        (2, Gen.OneOf<int>(',', '&', '#', 'x', ';')),
        (1, Gen.Int[0x00, 0x1f]),
        (1, Gen.OneOf(0x7f, 0x80, 0xff, 0x7ff, 0x800, 0xfffd, 0x10000, 0x10ffff)),
        (1, Gen.Int[0x80, 0xd7ff]),
        (1, Gen.Int[0xe000, 0x10ffff]));

    private static readonly Gen<string> Text =
        CodePoint.Array[0, 30].Select(cps => string.Concat(cps.Select(char.ConvertFromUtf32)));

    private static readonly JsonSerializerOptions RawJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void Escaped_text_is_plain_ascii_without_separators_and_unescapes_to_the_original()
    {
        Text.Sample(text =>
        {
            var escaped = LeaseCsvEscaping.Escape(text);
            Assert.All(escaped, c => Assert.InRange(c, ' ', '~'));
            Assert.DoesNotContain(',', escaped);
            Assert.Equal(escaped.Split('&').Length - 1, escaped.Split("&#x").Length - 1);
            Assert.Equal(text, LeaseCsvEscaping.Unescape(escaped));
        });
    }

    [Fact]
    public void Rows_with_arbitrary_hostname_and_user_context_round_trip()
    {
        Gen.Select(Text, Text).Sample((hostname, contextValue) =>
        {
            var lease = LeaseSamples.Full();
            lease.Hostname = hostname;
            lease.UserContext = "{ \"note\": " + JsonSerializer.Serialize(contextValue, RawJson) + " }";

            var row = LeaseRows.Row(lease);
            Assert.Equal(18, row.Split(',').Length);

            var parsed = LeaseRows.Parse(row);
            Assert.Equal(hostname, parsed.Hostname);
            Assert.Equal(lease.UserContext, parsed.UserContext);
            Assert.Equal(row, LeaseRows.Row(parsed));
        });
    }
}
