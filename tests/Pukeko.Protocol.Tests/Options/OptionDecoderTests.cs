using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Options;

/// <summary>Each typed option: decoding its wire form gives the expected fields, writing gives the same bytes back.</summary>
public class OptionDecoderTests
{
    private static T Decode<T>(ushort code, string payloadHex)
        where T : DhcpOption
    {
        var payload = Hex.Bytes(payloadHex);
        Assert.Equal(ParseStatus.Ok, OptionDecoder.TryDecode(code, payload, out var option));
        var typed = Assert.IsType<T>(option);
        Assert.Equal(payloadHex.Replace(" ", string.Empty, StringComparison.Ordinal), Hex.Of(typed.GetData()));
        return typed;
    }

    [Fact]
    public void IaPdWithIaPrefixAndStatusCodeDecodesRecursively()
    {
        var iaPd = Decode<IaPdOption>(OptionCode.IaPd,
            "00000007 00000e10 00001518 001a 0019 00001c20 00002a30 38 20010db8aa0000000000000000000000");

        Assert.Equal(7u, iaPd.Iaid);
        Assert.Equal(3600u, iaPd.T1);
        Assert.Equal(5400u, iaPd.T2);
        var prefix = Assert.IsType<IaPrefixOption>(Assert.Single(iaPd.Options));
        Assert.Equal(56, prefix.PrefixLength);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:aa00::/56"), prefix.AsPrefix);
        Assert.Equal(7200u, prefix.PreferredLifetime);
        Assert.Equal(10800u, prefix.ValidLifetime);
    }

    [Fact]
    public void StatusCodeInsideIaAddressIsTyped()
    {
        var iaNa = Decode<IaNaOption>(OptionCode.IaNa,
            "00000001 00000000 00000000 0005 0022 20010db8000000000000000000000001 00000000 00000000 000d 0006 0002 6e6f6e65");

        var address = Assert.IsType<IaAddressOption>(Assert.Single(iaNa.Options));
        var status = Assert.IsType<StatusCodeOption>(Assert.Single(address.Options));
        Assert.Equal(StatusCode.NoAddrsAvail, status.Status);
        Assert.Equal("none", status.Message);
    }

    [Fact]
    public void IaTaCarriesItsIaidAndAddresses()
    {
        var iaTa = Decode<IaTaOption>(OptionCode.IaTa, "0000002a 0005 0018 20010db8000000000000000000000002 00000001 00000002");

        Assert.Equal(42u, iaTa.Iaid);
        Assert.Equal(Ipv6Address.Parse("2001:db8::2"), Assert.IsType<IaAddressOption>(Assert.Single(iaTa.Options)).Address);
    }

    [Fact]
    public void StatusCodeMessageIsDecodedAsUtf8()
    {
        var status = Decode<StatusCodeOption>(OptionCode.StatusCode, "0000 c3a9 e29c93");

        Assert.Equal("é✓", status.Message);
    }

    [Fact]
    public void DomainSearchListDecodesNamesWithoutTrailingDot()
    {
        var list = Decode<DomainListOption>(OptionCode.DomainSearch, "076578616d706c6503636f6d00 036c616e00");

        Assert.Equal(["example.com", "lan"], list.Names);
    }

    [Fact]
    public void ClientFqdnDistinguishesFullAndPartialNames()
    {
        var full = Decode<ClientFqdnOption>(OptionCode.ClientFqdn, "01 04686f7374076578616d706c6503636f6d00");
        var partial = Decode<ClientFqdnOption>(OptionCode.ClientFqdn, "00 04686f7374");
        var empty = Decode<ClientFqdnOption>(OptionCode.ClientFqdn, "04");

        Assert.True(full.ServerUpdates);
        Assert.Equal("host.example.com", full.DomainName);
        Assert.False(full.IsPartialName);
        Assert.Equal("host", partial.DomainName);
        Assert.True(partial.IsPartialName);
        Assert.True(empty.NoUpdate);
        Assert.Equal(string.Empty, empty.DomainName);
    }

    [Fact]
    public void ClientFqdnFlagHelpersSetAndClearBits()
    {
        var fqdn = new ClientFqdnOption(0, "host", isPartialName: true) { ServerUpdates = true, Override = true };

        Assert.Equal(ClientFqdnOption.FlagS | ClientFqdnOption.FlagO, fqdn.Flags);
        fqdn.ServerUpdates = false;
        Assert.Equal(ClientFqdnOption.FlagO, fqdn.Flags);
    }

    [Fact]
    public void UserAndVendorClassKeepEachOpaqueEntry()
    {
        var userClass = Decode<UserClassOption>(OptionCode.UserClass, "0003 616263 0000 0001 ff");
        var vendorClass = Decode<VendorClassOption>(OptionCode.VendorClass, "00000de9 0004 64736c31");

        Assert.Equal(3, userClass.Entries.Count);
        Assert.Equal("abc"u8.ToArray(), userClass.Entries[0]);
        Assert.Empty(userClass.Entries[1]);
        Assert.Equal(3561u, vendorClass.EnterpriseNumber);
        Assert.Equal("dsl1"u8.ToArray(), Assert.Single(vendorClass.Entries));
    }

    [Fact]
    public void VendorOptsSubOptionsStayRaw()
    {
        var vendor = Decode<VendorOptsOption>(OptionCode.VendorOpts, "0000118b 0001 0002 0020 0005 0000");

        Assert.Equal(4491u, vendor.EnterpriseNumber);
        Assert.Equal(2, vendor.Options.Count);
        Assert.All(vendor.Options, option => Assert.IsType<RawOption>(option));
    }

    [Fact]
    public void RemoteIdSplitsEnterpriseNumberAndId()
    {
        var remote = Decode<RemoteIdOption>(OptionCode.RemoteId, "00000009 0102030405");

        Assert.Equal(9u, remote.EnterpriseNumber);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, remote.RemoteId);
    }

    [Fact]
    public void AuthenticationFieldsAreSeparated()
    {
        var auth = Decode<AuthenticationOption>(OptionCode.Authentication, "03 01 00 0000000000000010 aabb");

        Assert.Equal(3, auth.Protocol);
        Assert.Equal(1, auth.Algorithm);
        Assert.Equal(0, auth.ReplayDetectionMethod);
        Assert.Equal(16ul, auth.ReplayDetection);
        Assert.Equal(new byte[] { 0xaa, 0xbb }, auth.Information);
    }

    [Fact]
    public void NtpServerSubOptionsAreTyped()
    {
        var ntp = Decode<NtpServerOption>(OptionCode.NtpServer,
            "0001 0010 20010db8000000000000000000000123 0003 000d 036e7470076578616d706c6500");

        Assert.Equal(Ipv6Address.Parse("2001:db8::123"), Assert.IsType<AddressOption>(ntp.Options[0]).Address);
        Assert.Equal("ntp.example", Assert.IsType<DomainNameOption>(ntp.Options[1]).Name);
    }

    [Fact]
    public void NtpServerBuilderWritesRfc5908Layout()
    {
        var ntp = new NtpServerOption().AddMulticastAddress(Ipv6Address.Parse("ff05::101"));

        Assert.Equal("00020010ff050000000000000000000000000101", Hex.Of(ntp.GetData()));
    }

    [Fact]
    public void SmallFixedOptionsDecode()
    {
        Assert.Equal(200, Decode<PreferenceOption>(OptionCode.Preference, "c8").Value);
        Assert.Equal(0xffff, Decode<ElapsedTimeOption>(OptionCode.ElapsedTime, "ffff").Value);
        Assert.Equal(Ipv6Address.Parse("2001:db8::5"), Decode<UnicastOption>(OptionCode.Unicast, "20010db8000000000000000000000005").Address);
        Assert.Equal(MessageType.Renew, Decode<ReconfigureMessageOption>(OptionCode.ReconfigureMessage, "05").MessageType);
        Assert.Equal(86400u, Decode<Uint32Option>(OptionCode.InformationRefreshTime, "00015180").Value);
        Assert.Equal(3600u, Decode<Uint32Option>(OptionCode.SolMaxRt, "00000e10").Value);
        Assert.Equal(547, Decode<RelaySourcePortOption>(OptionCode.RelaySourcePort, "0223").Port);
        Assert.IsType<EmptyOption>(Decode<EmptyOption>(OptionCode.ReconfigureAccept, string.Empty));
    }

    [Fact]
    public void UnknownCodesAndInterfaceIdStayRaw()
    {
        Assert.Equal(new byte[] { 1, 2 }, Decode<RawOption>(999, "0102").Data);
        Assert.Equal("eth0"u8.ToArray(), Decode<RawOption>(OptionCode.InterfaceId, "65746830").Data);
    }

    [Fact]
    public void RelayMessageOptionOutsideARelayHeaderKeepsTheBytes()
    {
        Assert.Equal(new byte[] { 1, 0, 0, 1 }, Decode<RelayMessageOption>(OptionCode.RelayMessage, "01000001").Message);
    }

    [Fact]
    public void DuidOptionRejectsCodesOtherThanClientAndServerId()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DuidOption(OptionCode.IaNa, Protocol.Duids.Duid.Parse("00:01")));
    }

    [Fact]
    public void TryDecodeAllAppendsEveryOption()
    {
        var options = new OptionCollection();

        var status = OptionDecoder.TryDecodeAll(Hex.Bytes("00070001ff", "000e0000"), options);

        Assert.Equal(ParseStatus.Ok, status);
        Assert.Equal([OptionCode.Preference, OptionCode.RapidCommit], options.Select(option => option.Code));
    }
}
