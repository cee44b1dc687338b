using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Network;

/// <summary>Client messages with IA_PD and relay layers, and reply accessors for them.</summary>
internal static class NetworkMessages
{
    public static Dhcp6Message WithPd(MessageType type, uint iaid = 7, string? prefix = null, byte length = 0, bool withNa = false, Duid? serverId = null, Duid? clientId = null, params ushort[] oro)
    {
        var message = new Dhcp6Message(type, 0x4242);
        message.Options.Add(new DuidOption(OptionCode.ClientId, clientId ?? ClientMessages.ClientDuid));
        if (serverId is not null)
        {
            message.Options.Add(new DuidOption(OptionCode.ServerId, serverId));
        }

        if (withNa)
        {
            message.Options.Add(new IaNaOption(1, 0, 0));
        }

        var pd = new IaPdOption(iaid, 0, 0);
        if (prefix is not null)
        {
            pd.Options.Add(new IaPrefixOption(0, 0, length, Ipv6Address.Parse(prefix)));
        }

        message.Options.Add(pd);
        if (oro.Length > 0)
        {
            message.Options.Add(new OptionRequestOption(oro));
        }

        return message;
    }

    public static IaPdOption Pd(Dhcp6Message reply, uint iaid = 7)
    {
        foreach (var option in reply.Options)
        {
            if (option is IaPdOption pd && pd.Iaid == iaid)
            {
                return pd;
            }
        }

        throw new Xunit.Sdk.XunitException($"no IA_PD {iaid} in reply");
    }

    public static List<IaPrefixOption> Prefixes(Dhcp6Message reply, uint iaid = 7) =>
        [.. Pd(reply, iaid).Options.OfType<IaPrefixOption>()];

    public static string PrefixText(IaPrefixOption option) => $"{option.Prefix}/{option.PrefixLength}";

    public static RelayLayer Relay(string link, string peer = "fe80::1:2ff:fe03:405", byte hops = 0, string? interfaceId = null)
    {
        var relay = new RelayLayer(MessageType.RelayForward, hops, Ipv6Address.Parse(link), Ipv6Address.Parse(peer));
        if (interfaceId is not null)
        {
            relay.Options.Add(new RawOption(OptionCode.InterfaceId, System.Text.Encoding.ASCII.GetBytes(interfaceId)));
        }

        return relay;
    }
}
