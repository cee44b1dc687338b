using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>
/// Text form of the DHCPv6 DNR option (RFC 9463 §4.1) as Kea accepts it:
/// <c>priority, adn[, addr addr…[, key=value key=value…]]</c>. Encodes Service Priority, ADN length + ADN,
/// Addr Length + addresses and the SvcParams (RFC 9460 wire form, keys in increasing order). ADN-only mode is
/// just <c>priority, adn</c>. Inside a value a comma is written <c>\,</c> (e.g. <c>alpn=dot\,doq</c>).
/// </summary>
public static class DnrEncoding
{
    private static readonly string[] KeyNames = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"];

    public static byte[] Encode(string data)
    {
        var fields = SplitUnescaped(data ?? "", ',');
        if (fields.Count is < 2 or > 4)
        {
            throw new FormatException($"DNR option needs 'priority, adn[, addresses[, svc-params]]', got {fields.Count} field(s)");
        }

        var output = new ArrayBufferWriter<byte>();
        if (!ushort.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
        {
            throw new FormatException($"'{fields[0]}' is not a valid DNR service priority (0..65535)");
        }

        WriteUInt16(output, priority);
        if (fields[1].Length == 0)
        {
            throw new FormatException("DNR option needs an authentication domain name");
        }

        var adn = DomainNameEncoding.ToWire(fields[1], fullyQualified: true);
        WriteUInt16(output, (ushort)adn.Length);
        output.Write(adn);
        if (fields.Count == 2)
        {
            return output.WrittenSpan.ToArray();
        }

        var addresses = fields[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (addresses.Length == 0)
        {
            throw new FormatException("DNR option needs at least one address unless it is in ADN-only mode");
        }

        WriteUInt16(output, (ushort)(addresses.Length * 16));
        foreach (var text in addresses)
        {
            if (!Ipv6Address.TryParse(text, out var address))
            {
                throw new FormatException($"'{text}' is not a valid IPv6 address");
            }

            address.Write(output.GetSpan(16));
            output.Advance(16);
        }

        if (fields.Count == 4)
        {
            WriteSvcParams(output, fields[3]);
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteSvcParams(ArrayBufferWriter<byte> output, string text)
    {
        var parameters = new SortedDictionary<ushort, byte[]>();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            var key = Array.IndexOf(KeyNames, name);
            if (key < 0)
            {
                throw new FormatException($"unknown SvcParam key '{name}'");
            }

            if (!parameters.TryAdd((ushort)key, EncodeValue(name, value)))
            {
                throw new FormatException($"SvcParam key '{name}' given twice");
            }
        }

        foreach (var (key, value) in parameters)
        {
            WriteUInt16(output, key);
            WriteUInt16(output, (ushort)value.Length);
            output.Write(value);
        }
    }

    private static byte[] EncodeValue(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        switch (name)
        {
            case "alpn":
                foreach (var id in value.Replace("\\,", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var bytes = System.Text.Encoding.ASCII.GetBytes(id);
                    if (bytes.Length > 255)
                    {
                        throw new FormatException($"ALPN id '{id}' is longer than 255 bytes");
                    }

                    output.Write([(byte)bytes.Length]);
                    output.Write(bytes);
                }

                if (output.WrittenCount == 0)
                {
                    throw new FormatException("alpn needs at least one protocol id");
                }

                break;
            case "port":
                if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                {
                    throw new FormatException($"'{value}' is not a valid port");
                }

                WriteUInt16(output, port);
                break;
            case "no-default-alpn":
                if (value.Length != 0)
                {
                    throw new FormatException("no-default-alpn takes no value");
                }

                break;
            case "dohpath":
                output.Write(System.Text.Encoding.UTF8.GetBytes(value));
                break;
            case "ipv6hint":
                foreach (var text in value.Replace("\\,", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!Ipv6Address.TryParse(text, out var address))
                    {
                        throw new FormatException($"'{text}' is not a valid IPv6 address");
                    }

                    address.Write(output.GetSpan(16));
                    output.Advance(16);
                }

                break;
            case "mandatory":
                foreach (var key in value.Replace("\\,", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var index = Array.IndexOf(KeyNames, key);
                    if (index < 0)
                    {
                        throw new FormatException($"unknown SvcParam key '{key}' in mandatory");
                    }

                    WriteUInt16(output, (ushort)index);
                }

                break;
            default:
                throw new FormatException($"SvcParam '{name}' is not supported in DNR options");
        }

        return output.WrittenSpan.ToArray();
    }

    private static List<string> SplitUnescaped(string data, char separator)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\\' && i + 1 < data.Length && data[i + 1] == separator)
            {
                // Keep the escape: the alpn value list splits on it later.
                current.Append('\\').Append(separator);
                i++;
            }
            else if (data[i] == separator)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(data[i]);
            }
        }

        parts.Add(current.ToString().Trim());
        return parts;
    }

    private static void WriteUInt16(IBufferWriter<byte> output, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), value);
        output.Advance(2);
    }
}
