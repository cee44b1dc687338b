using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// Evaluates parsed expressions against a packet. All values are byte strings (Kea: "all values are strings");
/// a missing option or relay level gives the empty string, never an error. Only type errors that the parser
/// cannot see (e.g. <c>addrtotext</c> of 3 bytes) throw <see cref="ExpressionEvaluationException"/>.
/// </summary>
internal static class ExpressionEvaluator
{
    private static readonly byte[] Empty = [];

    public static bool EvaluateBoolean(ExpressionNode node, Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(packet);
        return node.Kind switch
        {
            ExpressionNodeKind.Or => EvaluateBoolean(node.Children[0], packet) || EvaluateBoolean(node.Children[1], packet),
            ExpressionNodeKind.And => EvaluateBoolean(node.Children[0], packet) && EvaluateBoolean(node.Children[1], packet),
            ExpressionNodeKind.Not => !EvaluateBoolean(node.Children[0], packet),
            ExpressionNodeKind.Equal => Evaluate(node.Children[0], packet).AsSpan().SequenceEqual(Evaluate(node.Children[1], packet)),
            ExpressionNodeKind.Match => IsMatch(node.Pattern!, Evaluate(node.Children[0], packet)),
            ExpressionNodeKind.Member => packet.Classes.Contains(node.Name),
            ExpressionNodeKind.OptionExists => FindOption(packet.Message.Options, node.Code, node.SubCode) is not null,
            ExpressionNodeKind.RelayOptionExists => Relay(packet, node.Index) is { } relay && relay.Options.Get(node.Code) is not null,
            ExpressionNodeKind.VendorExists => FirstVendor(packet) is { } vendor && Matches(node.Index, vendor.EnterpriseNumber),
            ExpressionNodeKind.VendorOptionExists => FirstVendor(packet) is { } v && Matches(node.Index, v.EnterpriseNumber) && v.Options.Get(node.Code) is not null,
            ExpressionNodeKind.VendorClassExists => FirstVendorClass(packet) is { } vc && Matches(node.Index, vc.EnterpriseNumber),
            _ => throw new ExpressionEvaluationException($"{node.Kind} is not a boolean"),
        };
    }

    public static byte[] Evaluate(ExpressionNode node, Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(packet);
        switch (node.Kind)
        {
            case ExpressionNodeKind.Literal:
                return node.Literal;
            case ExpressionNodeKind.OptionHex:
                return FindOption(packet.Message.Options, node.Code, node.SubCode)?.GetData() ?? Empty;
            case ExpressionNodeKind.OptionText:
                return FindOption(packet.Message.Options, node.Code, node.SubCode) is { } option ? Text(option) : Empty;
            case ExpressionNodeKind.RelayOptionHex:
                return Relay(packet, node.Index)?.Options.Get(node.Code)?.GetData() ?? Empty;
            case ExpressionNodeKind.RelayOptionText:
                return Relay(packet, node.Index)?.Options.Get(node.Code) is { } relayOption ? Text(relayOption) : Empty;
            case ExpressionNodeKind.RelayPeerAddress:
                return Relay(packet, node.Index) is { } peer ? AddressBytes(peer.PeerAddress) : Empty;
            case ExpressionNodeKind.RelayLinkAddress:
                return Relay(packet, node.Index) is { } link ? AddressBytes(link.LinkAddress) : Empty;
            case ExpressionNodeKind.PacketInterface:
                return Encoding.UTF8.GetBytes(packet.InterfaceName);
            case ExpressionNodeKind.PacketSource:
                return AddressBytes(packet.RemoteAddress);
            case ExpressionNodeKind.PacketDestination:
                return AddressBytes(packet.LocalAddress);
            case ExpressionNodeKind.PacketLength:
                return UInt32Bytes((uint)Dhcp6Writer.GetLength(packet.Message, packet.Relays));
            case ExpressionNodeKind.MessageType:
                return UInt32Bytes((uint)packet.Message.Type);
            case ExpressionNodeKind.TransactionId:
                return UInt32Bytes(packet.Message.TransactionId);
            case ExpressionNodeKind.VendorEnterprise:
                return FirstVendor(packet) is { } vendor ? UInt32Bytes(vendor.EnterpriseNumber) : Empty;
            case ExpressionNodeKind.VendorOptionHex:
                return FirstVendor(packet) is { } v && Matches(node.Index, v.EnterpriseNumber) ? v.Options.Get(node.Code)?.GetData() ?? Empty : Empty;
            case ExpressionNodeKind.VendorClassEnterprise:
                return FirstVendorClass(packet) is { } vendorClass ? UInt32Bytes(vendorClass.EnterpriseNumber) : Empty;
            case ExpressionNodeKind.VendorClassData:
                return FirstVendorClass(packet) is { } vc && Matches(node.Index, vc.EnterpriseNumber) && node.Start < vc.Entries.Count ? vc.Entries[node.Start] : Empty;
            case ExpressionNodeKind.Substring:
                return Substring(Evaluate(node.Children[0], packet), node.Start, node.Length);
            case ExpressionNodeKind.Split:
                return Split(Evaluate(node.Children[0], packet), Evaluate(node.Children[1], packet), node.Start);
            case ExpressionNodeKind.Concat:
                return [.. Evaluate(node.Children[0], packet), .. Evaluate(node.Children[1], packet)];
            case ExpressionNodeKind.IfElse:
                return EvaluateBoolean(node.Children[0], packet) ? Evaluate(node.Children[1], packet) : Evaluate(node.Children[2], packet);
            case ExpressionNodeKind.HexString:
                return HexString(Evaluate(node.Children[0], packet), Evaluate(node.Children[1], packet));
            case ExpressionNodeKind.LowerCase:
                return ChangeCase(Evaluate(node.Children[0], packet), upper: false);
            case ExpressionNodeKind.UpperCase:
                return ChangeCase(Evaluate(node.Children[0], packet), upper: true);
            case ExpressionNodeKind.AddressToText:
                return AddressToText(Evaluate(node.Children[0], packet));
            case ExpressionNodeKind.Int8ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 1, signed: true);
            case ExpressionNodeKind.Int16ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 2, signed: true);
            case ExpressionNodeKind.Int32ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 4, signed: true);
            case ExpressionNodeKind.UInt8ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 1, signed: false);
            case ExpressionNodeKind.UInt16ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 2, signed: false);
            case ExpressionNodeKind.UInt32ToText:
                return IntegerToText(Evaluate(node.Children[0], packet), 4, signed: false);
            default:
                // A boolean used where a string is expected: Kea's evaluator yields 'true'/'false'.
                return Encoding.ASCII.GetBytes(EvaluateBoolean(node, packet) ? "true" : "false");
        }
    }

    /// <summary>
    /// Substring with Kea's rules: negative start counts from the end; negative length takes bytes before start;
    /// null length means "all"; anything out of range is clipped, a start outside the value gives "".
    /// </summary>
    public static byte[] Substring(byte[] value, int start, int? length)
    {
        var size = value.Length;
        if (size == 0)
        {
            return Empty;
        }

        long first = start < 0 ? (long)size + start : start;
        if (first < 0 || first >= size)
        {
            return Empty;
        }

        long from;
        long to;
        if (length is null)
        {
            from = first;
            to = size;
        }
        else if (length.Value >= 0)
        {
            from = first;
            to = Math.Min(size, first + length.Value);
        }
        else
        {
            from = Math.Max(0, first + length.Value);
            to = first;
        }

        return value[(int)from..(int)to];
    }

    /// <summary>Field <paramref name="field"/> (1-based) of the value split at any of the delimiter bytes.</summary>
    public static byte[] Split(byte[] value, byte[] delimiters, int field)
    {
        if (value.Length == 0)
        {
            return Empty;
        }

        if (delimiters.Length == 0)
        {
            return value;
        }

        if (field < 1)
        {
            return Empty;
        }

        var current = 1;
        var begin = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || Array.IndexOf(delimiters, value[i]) >= 0)
            {
                if (current == field)
                {
                    return value[begin..i];
                }

                current++;
                begin = i + 1;
            }
        }

        return Empty;
    }

    private static bool IsMatch(Regex pattern, byte[] value)
    {
        try
        {
            return pattern.IsMatch(Encoding.Latin1.GetString(value));
        }
        catch (RegexMatchTimeoutException)
        {
            // Kea: "runtime exceptions during match are handled as no match".
            return false;
        }
    }

    private static byte[] HexString(byte[] value, byte[] separator)
    {
        var text = new StringBuilder(value.Length * (2 + separator.Length));
        var sep = Encoding.Latin1.GetString(separator);
        for (var i = 0; i < value.Length; i++)
        {
            if (i > 0)
            {
                text.Append(sep);
            }

            text.Append(value[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return Encoding.Latin1.GetBytes(text.ToString());
    }

    private static byte[] ChangeCase(byte[] value, bool upper)
    {
        var result = new byte[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            result[i] = upper
                ? b is >= (byte)'a' and <= (byte)'z' ? (byte)(b - 32) : b
                : b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
        }

        return result;
    }

    private static byte[] AddressToText(byte[] value) => value.Length switch
    {
        0 => Empty,
        4 => Encoding.ASCII.GetBytes($"{value[0]}.{value[1]}.{value[2]}.{value[3]}"),
        16 => Encoding.ASCII.GetBytes(Ipv6Address.Read(value).ToString()),
        _ => throw new ExpressionEvaluationException($"addrtotext needs 4 or 16 bytes, got {value.Length}"),
    };

    private static byte[] IntegerToText(byte[] value, int size, bool signed)
    {
        if (value.Length == 0)
        {
            return Empty;
        }

        if (value.Length != size)
        {
            throw new ExpressionEvaluationException($"expected {size} byte(s) for integer conversion, got {value.Length}");
        }

        long number = size switch
        {
            1 => signed ? (sbyte)value[0] : value[0],
            2 => signed ? BinaryPrimitives.ReadInt16BigEndian(value) : BinaryPrimitives.ReadUInt16BigEndian(value),
            _ => signed ? BinaryPrimitives.ReadInt32BigEndian(value) : BinaryPrimitives.ReadUInt32BigEndian(value),
        };
        return Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>.text</c>: the option's value as text. Single-address options print the address; the rest
    /// (strings, opaque data) are their bytes as they are.
    /// </summary>
    private static byte[] Text(DhcpOption option) => option switch
    {
        AddressOption address => Encoding.ASCII.GetBytes(address.Address.ToString()),
        _ => option.GetData(),
    };

    /// <summary>Top-level option, or a sub-option of it when <paramref name="subCode"/> is non-zero.</summary>
    private static DhcpOption? FindOption(OptionCollection options, ushort code, ushort subCode)
    {
        var option = options.Get(code);
        if (option is null || subCode == 0)
        {
            return option;
        }

        return option switch
        {
            VendorOptsOption vendor => vendor.Options.Get(subCode),
            NtpServerOption ntp => ntp.Options.Get(subCode),
            IaNaOption ia => ia.Options.Get(subCode),
            IaPdOption pd => pd.Options.Get(subCode),
            IaAddressOption address => address.Options.Get(subCode),
            IaPrefixOption prefix => prefix.Options.Get(subCode),
            _ => FindRawSubOption(option.GetData(), subCode),
        };
    }

    /// <summary>Reads a payload as a list of 2+2-byte-header sub-options; malformed data has none.</summary>
    private static RawOption? FindRawSubOption(byte[] data, ushort code)
    {
        var offset = 0;
        while (offset + 4 <= data.Length)
        {
            var current = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (offset + 4 + length > data.Length)
            {
                return null;
            }

            if (current == code)
            {
                return new RawOption(code, data.AsSpan(offset + 4, length));
            }

            offset += 4 + length;
        }

        return null;
    }

    /// <summary>Relay level: 0 = closest to the server, negative counts from the client (-1 = closest to it).</summary>
    private static RelayLayer? Relay(Dhcp6Packet packet, int nest)
    {
        var index = nest >= 0 ? nest : packet.Relays.Count + nest;
        return index >= 0 && index < packet.Relays.Count ? packet.Relays[index] : null;
    }

    // Kea looks at the first instance of a vendor option when several are present.
    private static VendorOptsOption? FirstVendor(Dhcp6Packet packet) => packet.Message.Options.Get<VendorOptsOption>(OptionCode.VendorOpts);

    private static VendorClassOption? FirstVendorClass(Dhcp6Packet packet) => packet.Message.Options.Get<VendorClassOption>(OptionCode.VendorClass);

    private static bool Matches(int wanted, uint enterprise) => wanted == -1 || unchecked((uint)wanted) == enterprise;

    private static byte[] AddressBytes(Ipv6Address address)
    {
        var bytes = new byte[16];
        address.Write(bytes);
        return bytes;
    }

    private static byte[] UInt32Bytes(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
