using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Tests.Support;

/// <summary>Builds client messages the way a real client would.</summary>
internal static class ClientMessages
{
    public static readonly Duid ClientDuid = Duid.CreateLlt(1, 700_000_000, [0x00, 0x01, 0x02, 0x03, 0x04, 0x05]);

    public static Dhcp6Message Create(MessageType type, uint iaid = 1, Ipv6Address? address = null, Duid? serverId = null, Duid? clientId = null, params ushort[] oro)
    {
        var message = new Dhcp6Message(type, 0x123456);
        message.Options.Add(new DuidOption(OptionCode.ClientId, clientId ?? ClientDuid));
        if (serverId is not null)
        {
            message.Options.Add(new DuidOption(OptionCode.ServerId, serverId));
        }

        message.Options.Add(new ElapsedTimeOption(0));
        if (type != MessageType.InformationRequest)
        {
            var ia = new IaNaOption(iaid, 0, 0);
            if (address is { } a)
            {
                ia.Options.Add(new IaAddressOption(a, 0, 0));
            }

            message.Options.Add(ia);
        }

        if (oro.Length > 0)
        {
            message.Options.Add(new OptionRequestOption(oro));
        }

        return message;
    }

    /// <summary>
    /// <paramref name="message"/> on the wire with <paramref name="option"/> (code, length and payload as hex) appended
    /// as its last option, for options the typed writer cannot produce (malformed, or carrying bytes the decoder drops).
    /// </summary>
    public static byte[] WireWith(Dhcp6Message message, string option) => [.. Dhcp6Writer.ToArray(message), .. Convert.FromHexString(option)];

    /// <summary>A Solicit, then a Request for the address advertised; the address, once the Reply confirms it.</summary>
    public static Ipv6Address TakeAddress(PipelineHarness h, Duid client)
    {
        var advertise = h.Exchange(Create(MessageType.Solicit, clientId: client)).Reply!;
        var offered = AddressOf(advertise)!.Address;
        var reply = h.Exchange(Create(MessageType.Request, address: offered, serverId: PipelineHarness.ServerDuid, clientId: client)).Reply!;
        Assert.Equal(offered, AddressOf(reply)!.Address);
        return offered;
    }

    public static IaAddressOption? AddressOf(Dhcp6Message reply, uint iaid = 1)
    {
        foreach (var option in reply.Options)
        {
            if (option is IaNaOption ia && ia.Iaid == iaid)
            {
                return ia.Options.Get<IaAddressOption>(OptionCode.IaAddr);
            }
        }

        return null;
    }

    public static IaNaOption Ia(Dhcp6Message reply, uint iaid = 1)
    {
        foreach (var option in reply.Options)
        {
            if (option is IaNaOption ia && ia.Iaid == iaid)
            {
                return ia;
            }
        }

        throw new Xunit.Sdk.XunitException($"no IA_NA {iaid} in reply");
    }

    public static StatusCode? StatusOf(OptionCollection options) => options.Get<StatusCodeOption>(OptionCode.StatusCode)?.Status;
}
