using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

public class LeaseCsvFormatTests
{
    private const string KeaExampleRow =
        "2001:db8:1::1,00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f,200,200,8,100,0,7,128,1,1,host.example.com,,0,,0,0,0";

    [Fact]
    public void Header_is_the_18_column_kea_header()
    {
        Assert.Equal(LeaseSamples.Header, LeaseCsvSchema.HeaderLine);
        Assert.Equal(18, LeaseCsvSchema.HeaderLine.Split(',').Length);
    }

    [Fact]
    public void Kea_example_row_round_trips_byte_exact()
    {
        var lease = LeaseRows.Parse(KeaExampleRow);

        Assert.Equal("2001:db8:1::1", lease.Address.ToString());
        Assert.Equal(Convert.FromHexString("000102030405060a0b0c0d0e0f"), lease.Duid);
        Assert.Equal(200u, lease.ValidLifetime);
        Assert.Equal(0, lease.Cltt);
        Assert.Equal(8u, lease.SubnetId);
        Assert.Equal(100u, lease.PreferredLifetime);
        Assert.Equal(LeaseType.NA, lease.Type);
        Assert.Equal(7u, lease.Iaid);
        Assert.Equal(128, lease.PrefixLength);
        Assert.True(lease.FqdnForward);
        Assert.True(lease.FqdnReverse);
        Assert.Equal("host.example.com", lease.Hostname);
        Assert.Null(lease.HardwareAddress);
        Assert.Equal(LeaseState.Default, lease.State);
        Assert.Null(lease.UserContext);
        Assert.Equal(0u, lease.PoolId);

        Assert.Equal(KeaExampleRow, LeaseRows.Row(lease));
    }

    [Fact]
    public void Full_lease_row_has_every_column_in_order()
    {
        Assert.Equal(
            "2001:db8:1::cafe,00:01:00:01:2a:2b:2c:2d:08:00:27:00:00:09,3600,1700003600,42,1800,0,3735928559,128,1,1,"
            + "host&#x2cone&#x26two.example.org,08:00:2b:01:02:03,0,{ \"comment\": \"a&#x2c b &#x26 c\" },1,4,7",
            LeaseRows.Row(LeaseSamples.Full()));
    }

    [Fact]
    public void Full_lease_survives_format_and_parse()
    {
        var original = LeaseSamples.Full();
        var parsed = LeaseRows.Parse(LeaseRows.Row(original));
        Assert.Equal(original.Hostname, parsed.Hostname);
        Assert.Equal(original.UserContext, parsed.UserContext);
        Assert.Equal(original.HardwareAddress, parsed.HardwareAddress);
        Assert.Equal(original.HardwareType, parsed.HardwareType);
        Assert.Equal(original.HardwareAddressSource, parsed.HardwareAddressSource);
        Assert.Equal(original.Cltt, parsed.Cltt);
        Assert.Equal(LeaseRows.Row(original), LeaseRows.Row(parsed));
    }

    [Fact]
    public void Prefix_delegation_row()
    {
        var lease = LeaseSamples.Pd("2001:db8:ff00::", 56, cltt: 100, valid: 7200);
        Assert.Equal(
            "2001:db8:ff00::,00:01:00:01:2a:2b:2c:2d:08:00:27:00:00:01,7200,7300,2,3600,2,1,56,0,0,,,0,,0,0,3",
            LeaseRows.Row(lease));
    }

    [Fact]
    public void Delete_row_has_zero_lifetimes_and_expire_equal_to_cltt()
    {
        var lease = LeaseSamples.Na("2001:db8::5", cltt: 5000, valid: 300);
        var row = LeaseCsvFormatter.FormatRow(lease, asDelete: true).Split(',');
        Assert.Equal("0", row[LeaseCsvSchema.ValidLifetime]);
        Assert.Equal("5000", row[LeaseCsvSchema.Expire]);
        Assert.Equal("0", row[LeaseCsvSchema.PreferredLifetime]);
    }

    [Fact]
    public void Hwtype_and_source_are_zero_without_hwaddr()
    {
        var lease = LeaseSamples.Na("2001:db8::5");
        lease.HardwareType = 1;
        lease.HardwareAddressSource = 4;
        var row = LeaseRows.Row(lease).Split(',');
        Assert.Equal(string.Empty, row[LeaseCsvSchema.HardwareAddress]);
        Assert.Equal("0", row[LeaseCsvSchema.HardwareType]);
        Assert.Equal("0", row[LeaseCsvSchema.HardwareAddressSource]);
    }

    [Theory]
    [InlineData("a,b", "a&#x2cb")]
    [InlineData("a&b", "a&#x26b")]
    [InlineData("tab\there", "tab&#x09here")]
    [InlineData("del\u007f", "del&#x7f")]
    [InlineData("caf\u00e9", "caf&#xc3&#xa9")]
    [InlineData("plain-text.example_1 ~", "plain-text.example_1 ~")]
    public void Escaping_matches_kea(string raw, string escaped)
    {
        Assert.Equal(escaped, LeaseCsvEscaping.Escape(raw));
        Assert.Equal(raw, LeaseCsvEscaping.Unescape(escaped));
    }

    [Theory]
    [InlineData("&#xZZ", "&#xZZ")] // not hex: kept literally
    [InlineData("&#x4", "&#x4")] // too short: kept literally
    [InlineData("&#x2C", ",")] // upper-case hex accepted
    [InlineData("&amp;", "&amp;")]
    public void Unescape_keeps_malformed_tags(string field, string expected) =>
        Assert.Equal(expected, LeaseCsvEscaping.Unescape(field));

    [Fact]
    public void Non_declined_lease_without_duid_is_refused()
    {
        var empty = LeaseSamples.Na("2001:db8::1");
        empty.Duid = [];
        Assert.Throws<ArgumentException>(() => LeaseRows.Row(empty));

        var zeros = LeaseSamples.Na("2001:db8::1");
        zeros.Duid = [0, 0, 0];
        Assert.Throws<ArgumentException>(() => LeaseRows.Row(zeros));

        zeros.State = LeaseState.Declined;
        Assert.StartsWith("2001:db8::1,00:00:00,", LeaseRows.Row(zeros), StringComparison.Ordinal);
    }

    [Fact]
    public void Kea22_row_without_pool_id_defaults_to_zero()
    {
        var lease = LeaseRows.Parse(
            "2001:db8:2::,00:01:02,3600,1700003600,9,1800,2,8,56,0,0,,08:00:2b:01:02:03,0,{ \"foo\": true },1,2", columns: 17);
        Assert.Equal(LeaseType.PD, lease.Type);
        Assert.Equal(56, lease.PrefixLength);
        Assert.Equal(1_700_000_000, lease.Cltt);
        Assert.Equal(new byte[] { 8, 0, 0x2b, 1, 2, 3 }, lease.HardwareAddress);
        Assert.Equal(1, lease.HardwareType);
        Assert.Equal(2u, lease.HardwareAddressSource);
        Assert.Equal("{ \"foo\": true }", lease.UserContext);
        Assert.Equal(0u, lease.PoolId);
    }

    [Fact]
    public void Schema_1_row_with_12_columns_gets_defaults()
    {
        var lease = LeaseRows.Parse("2001:db8::7,0a:0b:0c,100,1100,1,50,0,3,128,0,1,h", columns: 12);
        Assert.Equal(1000, lease.Cltt);
        Assert.True(lease.FqdnReverse);
        Assert.Equal("h", lease.Hostname);
        Assert.Null(lease.HardwareAddress);
        Assert.Equal(LeaseState.Default, lease.State);
        Assert.Null(lease.UserContext);
        Assert.Equal(0u, lease.PoolId);
    }

    [Fact]
    public void Schema_2_hwaddr_without_hwtype_column_is_ethernet()
    {
        var lease = LeaseRows.Parse("2001:db8::7,0a:0b:0c,100,1100,1,50,0,3,128,0,0,,00:11:22:33:44:55", columns: 13);
        Assert.Equal(new byte[] { 0, 0x11, 0x22, 0x33, 0x44, 0x55 }, lease.HardwareAddress);
        Assert.Equal(1, lease.HardwareType);
        Assert.Equal(0u, lease.HardwareAddressSource);
    }

    [Fact]
    public void Extra_columns_of_newer_schema_are_ignored()
    {
        var lease = LeaseRows.Parse(KeaExampleRow + ",future", columns: 19);
        Assert.Equal(KeaExampleRow, LeaseRows.Row(lease));
    }

    [Fact]
    public void Duid_text_in_other_accepted_spellings()
    {
        Assert.Equal(new byte[] { 0xAB, 0x01, 0x02 }, LeaseRows.Parse(KeaExampleRow.Replace("00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f", "AB:1:02", StringComparison.Ordinal)).Duid);
        Assert.Equal(new byte[] { 0xAB, 0x01, 0x02 }, LeaseRows.Parse(KeaExampleRow.Replace("00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f", "ab0102", StringComparison.Ordinal)).Duid);
    }

    [Theory]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,0,,0,0", "header has 18")] // 17 values
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,0,,0,0,0,9", "more than 18")]
    [InlineData("10.0.0.1,00:01,200,200,8,100,0,7,128,1,1,h,,0,,0,0,0", "invalid address")]
    [InlineData("2001:db8:1::1,,200,200,8,100,0,7,128,1,1,h,,0,,0,0,0", "invalid DUID")]
    [InlineData("2001:db8:1::1,zz:01,200,200,8,100,0,7,128,1,1,h,,0,,0,0,0", "invalid DUID")]
    [InlineData("2001:db8:1::1,00:00:00,200,200,8,100,0,7,128,1,1,h,,0,,0,0,0", "empty DUID")]
    [InlineData("2001:db8:1::1,00:01,-1,200,8,100,0,7,128,1,1,h,,0,,0,0,0", "invalid number")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,3,7,128,1,1,h,,0,,0,0,0", "lease_type")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,129,1,1,h,,0,,0,0,0", "prefix_len")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,true,1,h,,0,,0,0,0", "fqdn")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,x,,0,0,0", "state")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,0,[1&#x2c2],0,0,0", "JSON map")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,0,{bad,0,0,0", "JSON map")]
    [InlineData("2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,,0,,0,0,p", "pool_id")]
    public void Invalid_rows_are_rejected_with_a_reason(string row, string reason)
    {
        Assert.False(LeaseCsvRowParser.TryParse(row, 18, out var lease, out var error, out _));
        Assert.Null(lease);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Declined_row_with_empty_duid_is_accepted()
    {
        var lease = LeaseRows.Parse("2001:db8:1::1,00:00:00,86400,86500,8,0,0,7,128,0,0,,,1,,0,0,0");
        Assert.Equal(LeaseState.Declined, lease.State);
    }

    [Fact]
    public void Broken_hwaddr_only_drops_the_hwaddr()
    {
        Assert.True(LeaseCsvRowParser.TryParse(
            "2001:db8:1::1,00:01,200,200,8,100,0,7,128,1,1,h,zz:zz,0,,1,4,0", 18, out var lease, out _, out var warning));
        Assert.Null(lease!.HardwareAddress);
        Assert.Equal(0, lease.HardwareType);
        Assert.Contains("hwaddr", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev", "at least 12")]
    [InlineData("address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,host", "'host'")]
    [InlineData("address,hwaddr,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname", "column 2")]
    public void Invalid_headers_are_rejected(string header, string reason)
    {
        var ex = Assert.Throws<LeaseFileException>(() => LeaseCsvSchema.ValidateHeader(header, "f.csv"));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("f.csv", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LeaseSamples.Header, 18)]
    [InlineData(LeaseSamples.Kea22Header, 17)]
    [InlineData(LeaseSamples.Header + ",extra_column", 19)]
    public void Valid_headers_give_their_column_count(string header, int columns) =>
        Assert.Equal(columns, LeaseCsvSchema.ValidateHeader(header, "f.csv"));

    // A header may declare any number of columns; the row split used to stackalloc one Range per column, so a hostile
    // lease file with a very wide header overflowed the stack (uncatchable: the process died). Run on a thread with a
    // small stack so the test proves the fix at a size a test can afford: before it, this overflowed.
    [Fact]
    public void A_row_of_a_very_wide_header_does_not_overflow_the_stack()
    {
        const int Columns = 100_000;
        var row = "2001:db8:1::10,00:01:02,4000,1700004000,1,3000,0,1,128,0,0,,,0,,0,0,0" + new string(',', Columns - 18);
        var parsed = false;
        var thread = new Thread(() => parsed = LeaseCsvRowParser.TryParse(row, Columns, out _, out _, out _), maxStackSize: 256 * 1024);

        thread.Start();
        thread.Join();

        Assert.True(parsed);
    }
}
