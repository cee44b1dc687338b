namespace Pukeko.Protocol.Options;

/// <summary>Sub-option codes of the NTP Server option (RFC 5908 §4).</summary>
public static class NtpSuboptionCode
{
    public const ushort ServerAddress = 1;
    public const ushort MulticastAddress = 2;
    public const ushort ServerFqdn = 3;
}
