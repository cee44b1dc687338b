using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>
/// Turns the <c>data</c> text of a Kea <c>option-data</c> entry into option payload bytes.
/// With csv-format the text is comma-separated values laid out by the definition (a literal comma
/// inside a value is written <c>\,</c>); without it the text is hex. Errors are
/// <see cref="FormatException"/>s whose message names the offending value, for configuration errors.
/// </summary>
/// <remarks>
/// How many values an option takes follows Kea's option factory: a single-value option uses the first value and
/// ignores the rest; an array takes them all; a record needs at least one value per field, ignores extra values
/// unless it is an array, and an array record repeats its last field for the extra values. As in Kea, empty
/// pieces between adjacent commas are not values.
/// </remarks>
public static class OptionDataEncoder
{
    /// <summary>Encodes <paramref name="data"/> per <paramref name="definition"/>.</summary>
    public static byte[] Encode(OptionDefinition definition, string data, bool csvFormat) =>
        Encode(definition, data, csvFormat, out _);

    /// <summary>
    /// Encodes <paramref name="data"/> per <paramref name="definition"/>; <paramref name="ignoredValues"/> counts the
    /// values beyond what the option holds, which Kea drops without a word.
    /// </summary>
    public static byte[] Encode(OptionDefinition definition, string data, bool csvFormat, out int ignoredValues)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ignoredValues = 0;
        data ??= string.Empty;
        if (!csvFormat)
        {
            return EncodeHex(data);
        }

        if (definition.Code == OptionCode.V6Dnr && definition.Space == StandardOptionDefinitions.Dhcp6Space)
        {
            return DnrEncoding.Encode(data);
        }

        var output = new ArrayBufferWriter<byte>();
        switch (definition.Type)
        {
            case OptionDataType.Empty:
                if (!string.IsNullOrWhiteSpace(data))
                {
                    throw new FormatException($"option '{definition.Name}' carries no data, but data '{data}' was given");
                }

                break;

            case OptionDataType.Record:
                ignoredValues = EncodeRecord(definition, SplitValues(data), output);
                break;

            default:
                var values = SplitValues(data);
                if (definition.IsArray)
                {
                    foreach (var value in values)
                    {
                        EncodeField(definition.Type, value, output);
                    }

                    break;
                }

                if (values.Count == 0)
                {
                    throw new FormatException($"option '{definition.Name}' needs a {OptionDataTypeNames.ToKeaName(definition.Type)} value");
                }

                ignoredValues = values.Count - 1;
                if (definition.Type == OptionDataType.String && Unescape(values[0]).Length == 0)
                {
                    throw new FormatException($"option '{definition.Name}' needs a non-empty string");
                }

                EncodeField(definition.Type, values[0], output);
                break;
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Hex payload as Kea accepts it: optional "0x", optionally bytes separated by ':' or spaces
    /// (each one or two digits). An odd number of plain digits gets a leading zero, as Kea does.
    /// Empty text gives an empty payload.
    /// </summary>
    public static byte[] EncodeHex(string data)
    {
        var text = (data ?? string.Empty).Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        if (text.Length == 0)
        {
            return [];
        }

        byte[]? bytes;
        bool ok;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            ok = HexText.TryParseSeparated(text, ':', out bytes);
        }
        else if (text.Contains(' ', StringComparison.Ordinal))
        {
            // Space-separated groups: single octets ("0a 0b") or longer even-length runs.
            var groups = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var all = new List<byte>();
            ok = true;
            foreach (var group in groups)
            {
                var digits = group.Length <= 2 ? group.PadLeft(2, '0') : group;
                if (digits.Length % 2 != 0 || !HexText.TryParsePlain(digits, out var part))
                {
                    ok = false;
                    break;
                }

                all.AddRange(part!);
            }

            bytes = ok ? [.. all] : null;
        }
        else
        {
            ok = HexText.TryParsePlain(text.Length % 2 == 0 ? text : "0" + text, out bytes);
        }

        return ok ? bytes! : throw new FormatException($"'{data}' is not valid hex data");
    }

    /// <summary>Encodes one csv value of a field type into <paramref name="output"/>.</summary>
    public static void EncodeField(OptionDataType type, string value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        value = value.Trim();
        switch (type)
        {
            case OptionDataType.Binary:
                output.Write(EncodeHex(value));
                break;
            case OptionDataType.Boolean:
                output.Write([ParseBoolean(value) ? (byte)1 : (byte)0]);
                break;
            case OptionDataType.Int8:
                output.Write([(byte)(sbyte)ParseInteger(value, "int8", sbyte.MinValue, sbyte.MaxValue)]);
                break;
            case OptionDataType.Uint8:
                output.Write([(byte)ParseInteger(value, "uint8", 0, byte.MaxValue)]);
                break;
            case OptionDataType.Int16:
                WriteUInt16(output, (ushort)(short)ParseInteger(value, "int16", short.MinValue, short.MaxValue));
                break;
            case OptionDataType.Uint16:
                WriteUInt16(output, (ushort)ParseInteger(value, "uint16", 0, ushort.MaxValue));
                break;
            case OptionDataType.Int32:
                WriteUInt32(output, (uint)(int)ParseInteger(value, "int32", int.MinValue, int.MaxValue));
                break;
            case OptionDataType.Uint32:
                WriteUInt32(output, (uint)ParseInteger(value, "uint32", 0, uint.MaxValue));
                break;
            case OptionDataType.Ipv4Address:
                output.Write(ParseIpv4(value));
                break;
            case OptionDataType.Ipv6Address:
            {
                if (!Ipv6Address.TryParse(value, out var address))
                {
                    throw new FormatException($"Failed to convert string to address '{value}': Invalid argument");
                }

                var span = output.GetSpan(16);
                address.Write(span);
                output.Advance(16);
                break;
            }

            case OptionDataType.Ipv6Prefix:
                WritePrefix(output, value);
                break;
            case OptionDataType.Psid:
                WritePsid(output, value);
                break;
            case OptionDataType.String:
                output.Write(System.Text.Encoding.UTF8.GetBytes(Unescape(value)));
                break;
            case OptionDataType.Fqdn:
                if (value.Length == 0)
                {
                    throw new FormatException("empty domain name");
                }

                output.Write(DomainNameEncoding.ToWire(value, fullyQualified: true));
                break;
            case OptionDataType.Tuple:
            {
                // DHCPv6 tuples have a 2-byte length (RFC 8415 §21.15 style opaque data).
                var bytes = System.Text.Encoding.UTF8.GetBytes(Unescape(value));
                if (bytes.Length > ushort.MaxValue)
                {
                    throw new FormatException("tuple longer than 65535 bytes");
                }

                WriteUInt16(output, (ushort)bytes.Length);
                output.Write(bytes);
                break;
            }

            default:
                throw new FormatException($"a {OptionDataTypeNames.ToKeaName(type)} cannot be a field value");
        }
    }

    /// <summary>Writes one value per field, then (array records) the extra values as the last field; returns how many values were left over.</summary>
    private static int EncodeRecord(OptionDefinition definition, List<string> values, ArrayBufferWriter<byte> output)
    {
        var fields = definition.RecordFields;
        if (fields is null || fields.Count == 0)
        {
            throw new FormatException($"record option '{definition.Name}' has no record fields defined");
        }

        if (values.Count < fields.Count)
        {
            var expectation = definition.IsArray ? $"at least {fields.Count}" : fields.Count.ToString(CultureInfo.InvariantCulture);
            throw new FormatException($"option '{definition.Name}' expects {expectation} comma-separated values, got {values.Count}");
        }

        for (var i = 0; i < fields.Count; i++)
        {
            EncodeField(fields[i], values[i], output);
        }

        if (!definition.IsArray)
        {
            return values.Count - fields.Count;
        }

        for (var i = fields.Count; i < values.Count; i++)
        {
            EncodeField(fields[^1], values[i], output);
        }

        return 0;
    }

    /// <summary>
    /// Splits on commas not preceded by a backslash; values are trimmed, escapes kept for the field encoder. Like Kea,
    /// nothing between two commas (or before the first, or after the last) is not a value; a blank is.
    /// </summary>
    private static List<string> SplitValues(string data)
    {
        var values = new List<string>();
        if (string.IsNullOrWhiteSpace(data))
        {
            return values;
        }

        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\\' && i + 1 < data.Length)
            {
                i++;
                continue;
            }

            if (data[i] == ',')
            {
                AddValue(values, data[start..i]);
                start = i + 1;
            }
        }

        AddValue(values, data[start..]);
        return values;
    }

    private static void AddValue(List<string> values, string piece)
    {
        if (piece.Length > 0)
        {
            values.Add(piece.Trim());
        }
    }

    private static string Unescape(string value) => value.Replace("\\,", ",", StringComparison.Ordinal);

    private static bool ParseBoolean(string value)
    {
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1")
        {
            return true;
        }

        if (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0")
        {
            return false;
        }

        throw new FormatException($"'{value}' is not a valid boolean (use true, false, 1 or 0)");
    }

    private static long ParseInteger(string value, string typeName, long min, long max)
    {
        long number;
        var ok = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
        if (!ok || number < min || number > max)
        {
            throw new FormatException($"'{value}' is not a valid {typeName} ({min}..{max})");
        }

        return number;
    }

    private static byte[] ParseIpv4(string value)
    {
        // IPAddress.TryParse accepts shorthand like "1" or "1.2"; Kea wants dotted quads.
        if (value.Count(c => c == '.') != 3 || !IPAddress.TryParse(value, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new FormatException($"'{value}' is not a valid IPv4 address");
        }

        return ip.GetAddressBytes();
    }

    /// <summary>Kea's ipv6-prefix layout: one length byte, then only the bytes the prefix length covers.</summary>
    private static void WritePrefix(IBufferWriter<byte> output, string value)
    {
        if (!Ipv6Prefix.TryParse(value, out var prefix, out var error))
        {
            throw new FormatException(error);
        }

        Span<byte> address = stackalloc byte[16];
        prefix.First.Write(address);
        var byteCount = (prefix.Length + 7) / 8;
        output.Write([prefix.Length]);
        output.Write(address[..byteCount]);
    }

    /// <summary>PSID written as "value/length" (RFC 7597 §5.1): one length byte, then the value left-aligned in 16 bits.</summary>
    private static void WritePsid(IBufferWriter<byte> output, string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new FormatException($"'{value}' is not a valid PSID (expected psid/psid-length)");
        }

        var psid = ParseInteger(value[..slash].Trim(), "PSID", 0, ushort.MaxValue);
        var length = (int)ParseInteger(value[(slash + 1)..].Trim(), "PSID length", 0, 16);
        if (length < 16 && psid >= 1L << length)
        {
            throw new FormatException($"PSID {psid} does not fit in {length} bits");
        }

        output.Write([(byte)length]);
        WriteUInt16(output, length == 0 ? (ushort)0 : (ushort)(psid << (16 - length)));
    }

    private static void WriteUInt16(IBufferWriter<byte> output, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    private static void WriteUInt32(IBufferWriter<byte> output, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }
}
