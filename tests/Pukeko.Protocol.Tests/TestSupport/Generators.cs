using CsCheck;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Tests.TestSupport;

/// <summary>CsCheck generators for messages, option trees and relay chains.</summary>
internal static class Generators
{
    public static readonly Gen<Ipv6Address> Address =
        Gen.Select(Gen.ULong, Gen.ULong, (high, low) => new Ipv6Address(new UInt128(high, low)));

    public static readonly Gen<byte[]> SmallBytes = Gen.Byte.Array[0, 24];

    /// <summary>Strings with ASCII, Latin-1 and BMP characters (no lone surrogates, so valid UTF-8).</summary>
    public static readonly Gen<string> Text =
        Gen.OneOf(Gen.Char['a', 'z'], Gen.Char[' ', '~'], Gen.Char['\u00c0', '\u00ff'], Gen.Char['\u2600', '\u26ff'])
            .Array[0, 20]
            .Select(chars => new string(chars));

    /// <summary>Codes no typed decoder claims, so a RawOption parses back as a RawOption.</summary>
    public static readonly Gen<ushort> UnknownCode = Gen.UShort[200, ushort.MaxValue];

    public static readonly Gen<DhcpOption> Raw =
        Gen.Select(UnknownCode, SmallBytes, (code, data) => (DhcpOption)new RawOption(code, data));

    public static readonly Gen<DhcpOption> StatusCode =
        Gen.Select(Gen.UShort[0, 8], Text, (status, message) => (DhcpOption)new StatusCodeOption((StatusCode)status, message));

    public static readonly Gen<DhcpOption> IaAddress =
        Gen.Select(Address, Gen.UInt, Gen.UInt, StatusCode.List[0, 1], (address, preferred, valid, children) =>
        {
            var option = new IaAddressOption(address, preferred, valid);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> IaNa =
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UInt, Gen.OneOf(IaAddress, StatusCode, Raw).List[0, 4], (iaid, t1, t2, children) =>
        {
            var option = new IaNaOption(iaid, t1, t2);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> IaTa =
        Gen.Select(Gen.UInt, IaAddress.List[0, 2], (iaid, children) =>
        {
            var option = new IaTaOption(iaid);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> IaPrefix =
        Gen.Select(Gen.UInt, Gen.UInt, Gen.Byte[0, 128], Address, StatusCode.List[0, 1], (preferred, valid, length, prefix, children) =>
        {
            var option = new IaPrefixOption(preferred, valid, length, prefix);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> IaPd =
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UInt, Gen.OneOf(IaPrefix, StatusCode).List[0, 3], (iaid, t1, t2, children) =>
        {
            var option = new IaPdOption(iaid, t1, t2);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> Oro =
        Gen.UShort.List[0, 8].Select(codes => (DhcpOption)new OptionRequestOption(codes));

    public static readonly Gen<DhcpOption> VendorOpts =
        Gen.Select(Gen.UInt, Gen.Select(Gen.UShort, SmallBytes, (code, data) => new RawOption(code, data)).List[0, 3], (enterprise, children) =>
        {
            var option = new VendorOptsOption(enterprise);
            children.ForEach(option.Options.Add);
            return (DhcpOption)option;
        });

    public static readonly Gen<DhcpOption> DuidOption =
        Gen.Select(Gen.OneOf(Gen.Const(OptionCode.ClientId), Gen.Const(OptionCode.ServerId)), Gen.Byte.Array[3, 20],
            (code, bytes) => (DhcpOption)new DuidOption(code, new Duid(bytes)));

    public static readonly Gen<DhcpOption> Small =
        Gen.OneOf(
            Gen.Byte.Select(value => (DhcpOption)new PreferenceOption(value)),
            Gen.UShort.Select(value => (DhcpOption)new ElapsedTimeOption(value)),
            Gen.Const<DhcpOption>(() => new EmptyOption(OptionCode.RapidCommit)),
            Address.List[0, 3].Select(addresses => (DhcpOption)new AddressListOption(OptionCode.DnsServers, addresses)),
            Gen.OneOf(Gen.Const("example.com"), Gen.Const("a.b.c"), Gen.Const("x-y.example.org")).List[0, 3]
                .Select(names => (DhcpOption)new DomainListOption(OptionCode.DomainSearch, names)),
            Gen.Select(Gen.Byte[0, 7], Gen.OneOf(Gen.Const("host"), Gen.Const("host.example.com"), Gen.Const(string.Empty)), Gen.Bool,
                (flags, name, partial) => (DhcpOption)new ClientFqdnOption(flags, name, partial)));

    public static readonly Gen<DhcpOption> MessageOption =
        Gen.Frequency(
            (3, IaNa), (2, IaPd), (1, IaTa), (2, Oro), (2, Raw), (2, VendorOpts), (2, DuidOption), (2, StatusCode), (3, Small));

    public static readonly Gen<MessageType> ClientServerType =
        Gen.Byte.Where(type => type is not ((byte)MessageType.RelayForward or (byte)MessageType.RelayReply)).Select(type => (MessageType)type);

    public static readonly Gen<Dhcp6Message> Message =
        Gen.Select(ClientServerType, Gen.UInt[0, Dhcp6Message.MaxTransactionId], MessageOption.List[0, 8], (type, xid, options) =>
        {
            var message = new Dhcp6Message(type, xid);
            options.ForEach(message.Options.Add);
            return message;
        });

    public static readonly Gen<DhcpOption> RelayOption =
        Gen.OneOf(
            SmallBytes.Select(id => (DhcpOption)new RawOption(OptionCode.InterfaceId, id)),
            Gen.Select(Gen.UInt, SmallBytes, (enterprise, id) => (DhcpOption)new RemoteIdOption(enterprise, id)),
            Gen.UShort.Select(port => (DhcpOption)new RelaySourcePortOption(port)),
            Raw);

    public static readonly Gen<RelayLayer> Relay =
        Gen.Select(Gen.Bool, Gen.Byte, Address, Address, RelayOption.List[0, 3], (forward, hops, link, peer, options) =>
        {
            var relay = new RelayLayer(forward ? MessageType.RelayForward : MessageType.RelayReply, hops, link, peer);
            options.ForEach(relay.Options.Add);
            return relay;
        });

    /// <summary>0..32 relay levels, weighted towards few (real deployments have 0..2).</summary>
    public static readonly Gen<List<RelayLayer>> Relays =
        Gen.Frequency((6, Gen.Int[0, 3]), (1, Gen.Int[0, Dhcp6Parser.MaxRelayLevels]))
            .SelectMany(count => Relay.List[count, count]);
}
