using System.Text;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// A client-class expression, parsed as a <c>test</c> and as a <c>template-test</c>, then evaluated against a packet.
/// Input: the expression text, optionally followed by a NUL byte and a DHCPv6 datagram to evaluate against (a
/// relayed Solicit is used when there is none or it does not parse).
/// <para>
/// <see cref="ExpressionSyntaxException"/> is the configuration error the class parser reports; an
/// <see cref="ExpressionEvaluationException"/> is logged by the classifier and the class does not match. Anything
/// else would escape the configuration parser, or the packet pipeline for every packet that meets the class.
/// </para>
/// </summary>
internal static class ClassExpressionTarget
{
    // A relayed Solicit (interface-id "eth0", remote-id) around a Solicit with client-id, ORO, elapsed time and an IA_NA.
    private static readonly byte[] DefaultPacket = Convert.FromHexString(
        "0c0020010db8000000000000000000000001fe80000000000000505400fffe123456" +
        "001200046574683000250008000009bf0a0b0c0d" +
        "00090050" +
        "01100874000100 0e000100011d8b5c3a525400123456000600040017001800080002000000030028001234560000000000000000000500182001 0db8000100000000000000000100 00000bb800000fa0".Replace(" ", "", StringComparison.Ordinal));

    public static void Run(byte[] input)
    {
        var nul = Array.IndexOf(input, (byte)0);
        var text = Encoding.UTF8.GetString(input, 0, nul < 0 ? input.Length : nul);
        var packet = Packet(nul < 0 ? DefaultPacket : input.AsSpan(nul + 1));

        Evaluate(text, packet, template: false);
        Evaluate(text, packet, template: true);
    }

    private static void Evaluate(string text, Dhcp6Packet packet, bool template)
    {
        ClassExpression expression;
        try
        {
            expression = template ? ClassExpression.ParseTemplate(text) : ClassExpression.ParseTest(text);
        }
        catch (ExpressionSyntaxException)
        {
            return;
        }

        try
        {
            if (template)
            {
                _ = expression.Evaluate(packet);
            }
            else
            {
                _ = expression.Matches(packet);
            }
        }
        catch (ExpressionEvaluationException)
        {
        }
    }

    private static Dhcp6Packet Packet(ReadOnlySpan<byte> datagram)
    {
        var relays = new List<RelayLayer>();
        if (Dhcp6Parser.TryParse(datagram, relays, out var message) != ParseStatus.Ok || message is null)
        {
            Dhcp6Parser.TryParse(DefaultPacket, relays, out message);
        }

        var packet = new Dhcp6Packet(message!)
        {
            RemoteAddress = Ipv6Address.Parse("fe80::5054:ff:fe12:3456"),
            RemotePort = 547,
            LocalAddress = Ipv6Address.Parse("2001:db8::2"),
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = "eth0",
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        packet.Relays.AddRange(relays);
        packet.Classes.Add("ALL");
        packet.Classes.Add("KNOWN");
        return packet;
    }
}
