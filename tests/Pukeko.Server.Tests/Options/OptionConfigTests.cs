using Pukeko.Protocol.Options.Definitions;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Options;

/// <summary>option-def, option-data against definitions, client-classes and reservations: errors by JSON path, Kea wording.</summary>
public sealed class OptionConfigTests
{
    private const string Subnet = """ "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ] """;

    [Theory]
    [InlineData("""{ "space": "v6-ntp-server-suboptions", "name": "ntp-server", "data": "2001:db8:abcd::123" }""", "Dhcp6/option-data[1]/name",
        "definition for the option 'v6-ntp-server-suboptions.ntp-server' having code '0' does not exist")]
    [InlineData("""{ "space": "v6-ntp-server-suboptions", "name": "ntp-server-address", "data": "lorem ipsum" }""", "Dhcp6/option-data[1]/data",
        "Failed to convert string to address 'lorem ipsum': Invalid argument")]
    [InlineData("""{ "space": "v6-ntp-server-suboptions", "name": "ntp-server-address", "data": "" }""", "Dhcp6/option-data[1]/data",
        "option data does not match option definition (space: v6-ntp-server-suboptions, code: 1): no option value specified")]
    [InlineData("""{ "space": "v6-ntp-server-suboptions", "name": "ntp-server-fqdn", "data": "" }""", "Dhcp6/option-data[1]/data",
        "option data does not match option definition (space: v6-ntp-server-suboptions, code: 3): no option value specified")]
    public void NtpErrorsUseKeasWording(string entry, string path, string message) =>
        LoadFails(Dhcp6($$""" "option-data": [ { "name": "ntp-server", "always-send": true }, {{entry}} ], {{Subnet}} """), path, message);

    [Fact]
    public void OptionDefIsKnownBeforeOptionDataWhereverItAppears()
    {
        var config = LoadOk(Dhcp6("""
            "option-data": [ { "name": "my-opt", "data": "2001:db8::1, 7" } ],
            "option-def": [ { "name": "my-opt", "code": 200, "type": "record", "record-types": "ipv6-address, uint16" } ]
            """));
        var option = Assert.Single(config.GlobalOptions);
        Assert.Equal(200, option.Code);
        Assert.Equal(18, option.Data.Length);
        Assert.True(config.OptionDefinitions.TryGetByName("dhcp6", "my-opt", out var definition));
        Assert.Equal([OptionDataType.Ipv6Address, OptionDataType.Uint16], definition.RecordFields);
    }

    [Theory]
    [InlineData("""{ "name": "x", "code": 23, "type": "uint8" }""", "Dhcp6/option-def[0]/code", "unable to override definition of option '23'")]
    [InlineData("""{ "name": "x", "code": 200, "type": "nonsense" }""", "Dhcp6/option-def[0]/type", "unknown option data type 'nonsense'")]
    [InlineData("""{ "name": "x", "code": 200, "type": "record" }""", "Dhcp6/option-def[0]/record-types", "invalid record-types")]
    [InlineData("""{ "name": "x y", "code": 200, "type": "uint8" }""", "Dhcp6/option-def[0]/name", "invalid option name")]
    [InlineData("""{ "name": "x", "code": 200, "type": "uint8", "array": true, "encapsulate": "s" }""", "Dhcp6/option-def[0]/encapsulate", "can't be an array")]
    [InlineData("""{ "code": 200, "type": "uint8" }""", "Dhcp6/option-def[0]", "missing parameter 'name'")]
    public void BadOptionDefinitionsAreRejected(string entry, string path, string message) =>
        LoadFails(Dhcp6($$""" "option-def": [ {{entry}} ] """), path, message);

    [Fact]
    public void DuplicateOptionDefinitionIsRejected() =>
        LoadFails(Dhcp6("""
            "option-def": [ { "name": "a", "code": 200, "type": "uint8" }, { "name": "b", "code": 200, "type": "uint8" } ]
            """), "Dhcp6/option-def[1]", "already exists in option space 'dhcp6'");

    [Fact]
    public void ServerBuiltOptionsMayStillBeConfiguredAsKeaAllows()
    {
        // Forge's relay tests configure interface-id in option-data, and Kea accepts it.
        var config = LoadOk(Dhcp6(""" "option-data": [ { "name": "interface-id", "data": "abc", "csv-format": false } ] """));
        Assert.Equal(18, Assert.Single(config.GlobalOptions).Code);
    }

    [Fact]
    public void DnrOptionIsEncodedFromItsTextForm()
    {
        var config = LoadOk(Dhcp6(""" "option-data": [ { "name": "v6-dnr", "data": "100, foo.org., 2001:db8::1 2001:db8::2, alpn=dot port=8530" } ] """));
        Assert.Equal(61, Assert.Single(config.GlobalOptions).Data.Length);
    }

    [Theory]
    [InlineData("""{ "name": "c", "test": "option[1].hex == " }""", "Dhcp6/client-classes[0]/test", "expression: [option[1].hex == ] error: <string>:1.18: syntax error, unexpected end of file")]
    [InlineData("""{ "name": "c", "test": "member('later')" }""", "Dhcp6/client-classes[0]/test", "depends on class 'later', which is not defined before it")]
    [InlineData("""{ "name": "c", "test": "'a' == 'a'", "template-test": "'a'" }""", "Dhcp6/client-classes[0]", "cannot have both")]
    [InlineData("""{ "test": "'a' == 'a'" }""", "Dhcp6/client-classes[0]", "missing parameter 'name'")]
    [InlineData("""{ "name": "c", "next-server": "1.2.3.4" }""", "Dhcp6/client-classes[0]/next-server", "unknown parameter")]
    [InlineData("""{ "name": "c", "option-def": [ { "name": "o", "code": 222, "type": "uint8" } ] }""", "Dhcp6/client-classes[0]/option-def", "unknown parameter 'option-def' in client-classes")]
    [InlineData("""{ "name": "c", "valid-lifetime": 100, "max-valid-lifetime": 50 }""", "Dhcp6/client-classes[0]/max-valid-lifetime", "must not be greater")]
    public void BadClassesAreRejected(string entry, string path, string message) =>
        LoadFails(Dhcp6($$""" "client-classes": [ {{entry}} ] """), path, message);

    [Fact]
    public void DuplicateClassNameIsRejected() =>
        LoadFails(Dhcp6(""" "client-classes": [ { "name": "c" }, { "name": "c" } ] """), "Dhcp6/client-classes[1]/name", "already defined");

    [Fact]
    public void ClassesMayUseBuiltInAndEarlierClasses()
    {
        var config = LoadOk(Dhcp6("""
            "client-classes": [
                { "name": "a", "test": "member('ALL') and member('VENDOR_CLASS_x')" },
                { "name": "b", "test": "member('a') or member('KNOWN')", "only-in-additional-list": true } ]
            """));
        Assert.False(config.ClientClasses[0].DependsOnKnown);
        Assert.True(config.ClientClasses[1].DependsOnKnown);
        Assert.True(config.ClientClasses[1].OnlyInAdditionalList);
    }

    /// <summary>A class test reads sub-options by the configuration's option-def, names included (issue 13).</summary>
    [Fact]
    public void ClassTestsReadSubOptionsByTheOptionDefs()
    {
        var config = LoadOk(Dhcp6("""
            "option-def": [
                { "name": "acme", "code": 222, "type": "uint16", "encapsulate": "acme" },
                { "name": "plain", "code": 223, "type": "uint16" },
                { "name": "acme-sub", "code": 1, "space": "acme", "type": "string" } ],
            "client-classes": [
                { "name": "deep", "test": "option[acme].option[1].hex == 'x'" },
                { "name": "flat", "test": "option[plain].option[1].exists" } ]
            """));
        // uint16 5, then sub-option 1 = "x"; the same bytes in 223, which encapsulates nothing.
        byte[] payload = [0x00, 0x05, 0x00, 0x01, 0x00, 0x01, (byte)'x'];
        var message = new Pukeko.Protocol.Messages.Dhcp6Message(Pukeko.Protocol.Messages.MessageType.Solicit, 1);
        message.Options.Add(new Pukeko.Protocol.Options.RawOption(222, payload));
        message.Options.Add(new Pukeko.Protocol.Options.RawOption(223, payload));
        var packet = new Pukeko.Protocol.Messages.Dhcp6Packet(message);
        Assert.True(config.ClientClasses[0].Test!.Matches(packet));
        Assert.False(config.ClientClasses[1].Test!.Matches(packet));
    }

    [Theory]
    [InlineData("""{ "ip-addresses": [ "2001:db8:1::1" ] }""", "Dhcp6/subnet6[0]/reservations[0]", "needs one identifier")]
    [InlineData("""{ "duid": "01:02", "hw-address": "01:02:03:04:05:06" }""", "Dhcp6/subnet6[0]/reservations[0]", "exactly one identifier")]
    [InlineData("""{ "duid": "zz" }""", "Dhcp6/subnet6[0]/reservations[0]/duid", "invalid duid 'zz'")]
    [InlineData("""{ "duid": "01:02", "ip-addresses": [ "2001:db8:9::1" ] }""", "Dhcp6/subnet6[0]/reservations[0]/ip-addresses[0]", "is not within the IPv6 subnet")]
    [InlineData("""{ "duid": "01:02", "ip-addresses": [ "192.168.0.5" ] }""", "Dhcp6/subnet6[0]/reservations[0]/ip-addresses[0]", "invalid prefix '192.168.0.5' for new IPv6 reservation")]
    [InlineData("""{ "client-id": "01:02" }""", "Dhcp6/subnet6[0]/reservations[0]/client-id", "not supported by DHCPv6")]
    [InlineData("""{ "duid": "01:02", "prefixes": [ "2001:db8::/200" ] }""", "Dhcp6/subnet6[0]/reservations[0]/prefixes[0]", "invalid prefix")]
    public void BadReservationsAreRejected(string entry, string path, string message) =>
        LoadFails(Dhcp6($$""" "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "reservations": [ {{entry}} ] } ] """), path, message);

    [Fact]
    public void SameAddressReservedTwiceIsRejected() =>
        LoadFails(Dhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "reservations": [
                { "duid": "01:02", "ip-addresses": [ "2001:db8:1::1" ] }, { "duid": "01:03", "ip-addresses": [ "2001:db8:1::1" ] } ] } ]
            """), "Dhcp6/subnet6[0]/reservations[1]/ip-addresses[0]", "already reserved");

    [Theory]
    [InlineData("[ \"circuit-id\" ]", "Dhcp6/host-reservation-identifiers[0]", "unsupported identifier 'circuit-id'")]
    [InlineData("[ \"duid\", \"duid\" ]", "Dhcp6/host-reservation-identifiers[1]", "listed twice")]
    [InlineData("[]", "Dhcp6/host-reservation-identifiers", "must not be empty")]
    public void BadIdentifierListsAreRejected(string list, string path, string message) =>
        LoadFails(Dhcp6($$""" "host-reservation-identifiers": {{list}} """), path, message);

    [Fact]
    public void ReservationModesInheritAndLegacyModeMaps()
    {
        var config = LoadOk(Dhcp6("""
            "reservations-global": true,
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:2::/64", "reservation-mode": "out-of-pool" } ]
            """));
        Assert.Equal(new Pukeko.Server.Reservations.ReservationModes(true, true, false), config.Subnets[0].ReservationModes);
        // The legacy mode sets all three flags, so it also turns global lookups off for that subnet.
        Assert.Equal(new Pukeko.Server.Reservations.ReservationModes(false, true, true), config.Subnets[1].ReservationModes);
        LoadFails(Dhcp6(""" "reservation-mode": "sometimes" """), "Dhcp6/reservation-mode", "invalid reservation-mode");
    }
}
