using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;

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
        switch (node.Kind)
        {
            case ExpressionNodeKind.Or:
                return EvaluateBoolean(node.Children[0], packet) || EvaluateBoolean(node.Children[1], packet);
            case ExpressionNodeKind.And:
                return EvaluateBoolean(node.Children[0], packet) && EvaluateBoolean(node.Children[1], packet);
            case ExpressionNodeKind.StrictOr:
            {
                // sor/sand evaluate both sides, so an error on the right surfaces whatever the left gave.
                var left = EvaluateBoolean(node.Children[0], packet);
                return EvaluateBoolean(node.Children[1], packet) | left;
            }

            case ExpressionNodeKind.StrictAnd:
            {
                var left = EvaluateBoolean(node.Children[0], packet);
                return EvaluateBoolean(node.Children[1], packet) & left;
            }

            case ExpressionNodeKind.Not:
                return !EvaluateBoolean(node.Children[0], packet);
            case ExpressionNodeKind.Equal:
                return Evaluate(node.Children[0], packet).AsSpan().SequenceEqual(Evaluate(node.Children[1], packet));
            case ExpressionNodeKind.Match:
                return IsMatch(node.Pattern!, Evaluate(node.Children[0], packet));
            case ExpressionNodeKind.Member:
                return packet.Classes.Contains(node.Name);
            case ExpressionNodeKind.OptionExists:
            case ExpressionNodeKind.RelayOptionExists:
            case ExpressionNodeKind.VendorOptionExists:
                return FindChainOption(node, packet) is not null;
            case ExpressionNodeKind.VendorExists:
                return FirstVendor(packet) is { } vendor && Matches(node.Index, vendor.EnterpriseNumber);
            case ExpressionNodeKind.VendorClassExists:
                return FirstVendorClass(packet) is { } vc && Matches(node.Index, vc.EnterpriseNumber);
            default:
                throw new ExpressionEvaluationException($"{node.Kind} is not a boolean");
        }
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
            case ExpressionNodeKind.RelayOptionHex:
            case ExpressionNodeKind.VendorOptionHex:
                return FindChainOption(node, packet)?.GetData() ?? Empty;
            case ExpressionNodeKind.OptionText:
            case ExpressionNodeKind.RelayOptionText:
            case ExpressionNodeKind.VendorOptionText:
                return FindChainOption(node, packet) is { } option ? Text(option) : Empty;
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
            case ExpressionNodeKind.VendorClassEnterprise:
                return FirstVendorClass(packet) is { } vendorClass ? UInt32Bytes(vendorClass.EnterpriseNumber) : Empty;
            case ExpressionNodeKind.VendorClassData:
                return FirstVendorClass(packet) is { } vc && Matches(node.Index, vc.EnterpriseNumber) && node.Start < vc.Entries.Count ? vc.Entries[(int)node.Start] : Empty;
            case ExpressionNodeKind.Substring:
                return Substring(Evaluate(node.Children[0], packet), node.Start, node.Length);
            case ExpressionNodeKind.Split:
                return Split(Evaluate(node.Children[0], packet), Evaluate(node.Children[1], packet), node.Start);
            case ExpressionNodeKind.Concat:
                return [.. Evaluate(node.Children[0], packet), .. Evaluate(node.Children[1], packet)];
            case ExpressionNodeKind.IfElse:
                return EvaluateBoolean(node.Children[0], packet) ? Evaluate(node.Children[1], packet) : Evaluate(node.Children[2], packet);
            case ExpressionNodeKind.StrictIfElse:
            {
                var condition = EvaluateBoolean(node.Children[0], packet);
                var then = Evaluate(node.Children[1], packet);
                var otherwise = Evaluate(node.Children[2], packet);
                return condition ? then : otherwise;
            }

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
    public static byte[] Substring(byte[] value, long start, long? length)
    {
        var size = value.Length;
        if (size == 0)
        {
            return Empty;
        }

        // Kea converts the numbers to int only now, so a value past int's range fails here, not when parsing.
        var first = ToInt(start, "the starting position of the substring");
        var count = length is null ? size : ToInt(length.Value, "the length of the substring");
        if (first < -size || first >= size)
        {
            return Empty;
        }

        if (first < 0)
        {
            first += size;
        }

        long from;
        long to;
        if (count >= 0)
        {
            from = first;
            to = Math.Min(size, (long)first + count);
        }
        else
        {
            from = Math.Max(0, (long)first + count);
            to = first;
        }

        return value[(int)from..(int)to];
    }

    /// <summary>Field <paramref name="field"/> (1-based) of the value split at any of the delimiter bytes.</summary>
    public static byte[] Split(byte[] value, byte[] delimiters, long fieldNumber)
    {
        if (value.Length == 0)
        {
            return Empty;
        }

        var field = ToInt(fieldNumber, "the field of split");
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

    private static int ToInt(long value, string what) => value is >= int.MinValue and <= int.MaxValue
        ? (int)value
        : throw new ExpressionEvaluationException($"the parameter '{value}' for {what} couldn't be converted to an integer");

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

    /// <summary>
    /// The option an option chain names: the first code among the packet's (relay's, vendor option's) options, each
    /// next one among the sub-options of the option before it. Null when any step is missing.
    /// </summary>
    private static DhcpOption? FindChainOption(ExpressionNode node, Dhcp6Packet packet)
    {
        OptionCollection options;
        string space;
        switch (node.Kind)
        {
            case ExpressionNodeKind.RelayOptionExists or ExpressionNodeKind.RelayOptionHex or ExpressionNodeKind.RelayOptionText:
                if (Relay(packet, node.Index) is not { } relay)
                {
                    return null;
                }

                options = relay.Options;
                space = StandardOptionDefinitions.Dhcp6Space;
                break;
            case ExpressionNodeKind.VendorOptionExists or ExpressionNodeKind.VendorOptionHex or ExpressionNodeKind.VendorOptionText:
                if (FirstVendor(packet) is not { } vendor || !Matches(node.Index, vendor.EnterpriseNumber))
                {
                    return null;
                }

                options = vendor.Options;
                space = VendorSpace(vendor.EnterpriseNumber);
                break;
            default:
                options = packet.Message.Options;
                space = StandardOptionDefinitions.Dhcp6Space;
                break;
        }

        var option = options.Get(node.Path[0]);
        for (var i = 1; i < node.Path.Length && option is not null; i++)
        {
            option = SubOptions(option, space, node.Definitions, out space)?.Get(node.Path[i]);
        }

        return option;
    }

    /// <summary>
    /// The sub-options of <paramref name="option"/> (an option of <paramref name="space"/>) and the space they belong to,
    /// as Kea reads them: IA_NA, IA_PD, IAADDR and IAPREFIX carry dhcp6 options; the vendor option carries options of
    /// its vendor's space; any other option carries sub-options only if its definition (standard, or option-def)
    /// encapsulates a space, and they follow the definition's fields. Null when it carries none.
    /// </summary>
    internal static OptionCollection? SubOptions(DhcpOption option, string space, OptionDefinitionSet definitions, out string subSpace)
    {
        subSpace = StandardOptionDefinitions.Dhcp6Space;
        if (space == StandardOptionDefinitions.Dhcp6Space)
        {
            switch (option)
            {
                case IaNaOption ia:
                    return ia.Options;
                case IaPdOption pd:
                    return pd.Options;
                case IaAddressOption address:
                    return address.Options;
                case IaPrefixOption prefix:
                    return prefix.Options;
                case LqQueryOption query:
                    return query.Options;
                case ClientDataOption clientData:
                    return clientData.Options;
                case IaTaOption ta:
                    // Kea's ia-ta is a plain uint32 definition with no encapsulated space: the options after the IAID
                    // are read, but as options of no space, so none of them carries sub-options in turn.
                    subSpace = "";
                    return ta.Options;
                case VendorOptsOption vendor:
                    subSpace = VendorSpace(vendor.EnterpriseNumber);
                    return vendor.Options;
                case NtpServerOption ntp:
                    subSpace = StandardOptionDefinitions.NtpServerSpace;
                    return ntp.Options;
            }
        }

        subSpace = "";
        if (space.Length == 0 || !definitions.TryGetByCode(space, option.Code, out var definition) || string.IsNullOrEmpty(definition.Encapsulates))
        {
            return null;
        }

        var data = option.GetData();
        if (FieldsLength(definition, data) is not { } offset)
        {
            return null;
        }

        subSpace = definition.Encapsulates;
        var subOptions = new OptionCollection();
        while (offset + DhcpOption.HeaderLength <= data.Length)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (offset + DhcpOption.HeaderLength + length > data.Length)
            {
                // Kea keeps the sub-options before a truncated one.
                break;
            }

            subOptions.Add(new RawOption(code, data.AsSpan(offset + DhcpOption.HeaderLength, length)));
            offset += DhcpOption.HeaderLength + length;
        }

        return subOptions;
    }

    /// <summary>Bytes the definition's own fields take at the start of the data; null when they do not fit.</summary>
    private static int? FieldsLength(OptionDefinition definition, byte[] data)
    {
        if (definition.IsArray)
        {
            // An array takes the whole payload.
            return data.Length;
        }

        IEnumerable<OptionDataType> fields = definition.Type == OptionDataType.Record ? definition.RecordFields ?? [] : [definition.Type];
        var offset = 0;
        foreach (var field in fields)
        {
            var rest = data.AsSpan(offset);
            int? size = field switch
            {
                OptionDataType.Empty => 0,
                OptionDataType.Boolean or OptionDataType.Int8 or OptionDataType.Uint8 => 1,
                OptionDataType.Int16 or OptionDataType.Uint16 => 2,
                OptionDataType.Int32 or OptionDataType.Uint32 or OptionDataType.Ipv4Address => 4,
                OptionDataType.Ipv6Address => 16,
                OptionDataType.Psid => 3,
                OptionDataType.Ipv6Prefix => rest.IsEmpty ? null : 1 + ((rest[0] + 7) / 8),
                OptionDataType.Tuple => rest.Length < 2 ? null : 2 + BinaryPrimitives.ReadUInt16BigEndian(rest),
                OptionDataType.Fqdn => DomainNameLength(rest),
                _ => rest.Length, // string, binary: the rest of the payload
            };
            if (size is null || size > rest.Length)
            {
                return null;
            }

            offset += size.Value;
        }

        return offset;
    }

    /// <summary>Length of a wire-format domain name (labels up to the root); null when unterminated.</summary>
    private static int? DomainNameLength(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var label = data[offset];
            offset += 1 + label;
            if (label == 0)
            {
                return offset;
            }
        }

        return null;
    }

    private static string VendorSpace(uint enterprise) => "vendor-" + enterprise.ToString(CultureInfo.InvariantCulture);

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
