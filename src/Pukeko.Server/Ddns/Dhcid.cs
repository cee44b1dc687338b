using System.Security.Cryptography;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Server.Ddns;

/// <summary>
/// The DHCID RR data of RFC 4701 for a DHCPv6 client: identifier type 2 (DUID), digest type 1 (SHA-256), then
/// SHA-256 over the DUID followed by the FQDN in lower-case DNS wire format (with the root label).
/// </summary>
internal static class Dhcid
{
    /// <summary>RFC 4701 §3.3 identifier type: the client's DUID.</summary>
    private const byte IdentifierTypeDuid = 2;

    /// <summary>RFC 4701 §3.4 digest type: SHA-256.</summary>
    private const byte DigestSha256 = 1;

    public static byte[] Compute(ReadOnlySpan<byte> duid, string fqdn)
    {
        ArgumentNullException.ThrowIfNull(fqdn);
        var name = fqdn.TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0)
        {
            throw new ArgumentException("a DHCID needs a non-empty name", nameof(fqdn));
        }

        var wire = DomainNameEncoding.ToWire(name, fullyQualified: true);
        var input = new byte[duid.Length + wire.Length];
        duid.CopyTo(input);
        wire.CopyTo(input.AsSpan(duid.Length));
        var rdata = new byte[3 + SHA256.HashSizeInBytes];
        rdata[0] = 0;
        rdata[1] = IdentifierTypeDuid;
        rdata[2] = DigestSha256;
        SHA256.HashData(input, rdata.AsSpan(3));
        return rdata;
    }
}
