using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Ddns;

/// <summary>
/// One name-change request for kea-dhcp-ddns, in Kea's JSON format. Every field any D2 version needs is sent:
/// <c>lease-expires-on</c> (required by 2.2 to 3.1.5), <c>use-conflict-resolution</c> (2.2) and
/// <c>conflict-resolution-mode</c> (2.6 and later, which prefer it).
/// </summary>
internal sealed record NameChangeRequest(
    NameChangeType ChangeType,
    bool ForwardChange,
    bool ReverseChange,
    string Fqdn,
    string IpAddress,
    byte[] Dhcid,
    long LeaseExpiresOn,
    uint LeaseLength,
    DdnsConflictResolution ConflictResolution)
{
    /// <summary>The JSON text, fields in Kea's order, without spaces.</summary>
    public string ToJson()
    {
        var text = new StringBuilder(320);
        text.Append("{\"change-type\":").Append((int)ChangeType)
            .Append(",\"forward-change\":").Append(ForwardChange ? "true" : "false")
            .Append(",\"reverse-change\":").Append(ReverseChange ? "true" : "false")
            .Append(",\"fqdn\":\"");
        AppendEscaped(text, Fqdn);
        text.Append("\",\"ip-address\":\"").Append(IpAddress)
            .Append("\",\"dhcid\":\"").Append(Convert.ToHexString(Dhcid))
            .Append("\",\"lease-expires-on\":\"").Append(DateTimeOffset.FromUnixTimeSeconds(LeaseExpiresOn).UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture))
            .Append("\",\"lease-length\":").Append(LeaseLength.ToString(CultureInfo.InvariantCulture))
            .Append(",\"use-conflict-resolution\":").Append(UsesConflictResolution ? "true" : "false")
            .Append(",\"conflict-resolution-mode\":\"").Append(ModeText(ConflictResolution)).Append("\"}");
        return text.ToString();
    }

    /// <summary>The UDP datagram: the JSON text's length as two big-endian bytes, then the text.</summary>
    public byte[] ToDatagram()
    {
        var json = Encoding.UTF8.GetBytes(ToJson());
        if (json.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"name-change request too long ({json.Length} bytes)");
        }

        var datagram = new byte[2 + json.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, (ushort)json.Length);
        json.CopyTo(datagram, 2);
        return datagram;
    }

    /// <summary>The 2.2 flag for the mode: the modes that check before replacing count as "use conflict resolution".</summary>
    public bool UsesConflictResolution => ConflictResolution is DdnsConflictResolution.CheckWithDhcid or DdnsConflictResolution.CheckExistsWithDhcid;

    public static string ModeText(DdnsConflictResolution mode) => mode switch
    {
        DdnsConflictResolution.NoCheckWithDhcid => "no-check-with-dhcid",
        DdnsConflictResolution.CheckExistsWithDhcid => "check-exists-with-dhcid",
        DdnsConflictResolution.NoCheckWithoutDhcid => "no-check-without-dhcid",
        _ => "check-with-dhcid",
    };

    public override string ToString() => ToJson();

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (c < 0x20)
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }
    }
}
