using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Duids;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Identity;

/// <summary>
/// The server DUID: generated once (DUID-LLT by default) and kept in <c>kea-dhcp6-serverid</c>
/// beside the lease file, so clients keep talking to the "same" server across restarts
/// (RFC 8415 §11: a server's DUID should not change).
/// </summary>
internal static class ServerIdentity
{
    public const string FileName = "kea-dhcp6-serverid";

    private static readonly DateTime DuidEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static Duid LoadOrCreate(ServerIdConfig config, string dataDirectory, TimeProvider time, ILogger logger)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (config.Persist && File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (Duid.TryParse(text, out var stored) && stored is not null && Matches(config, stored))
            {
                return stored;
            }

            logger.LogWarning(new EventId(0, "DHCPSRV_SERVER_ID_FILE_INVALID"), "server identifier in {Path} is invalid or does not match the configuration; generating a new one", path);
        }

        var duid = Generate(config, time);
        if (config.Persist)
        {
            try
            {
                Directory.CreateDirectory(dataDirectory);
                // No trailing newline: Kea reads the whole file as the DUID text and regenerates on anything else.
                Hosting.RestrictedFile.WriteAllText(path, duid.ToString());
            }
            catch (IOException ex)
            {
                logger.LogWarning(new EventId(0, "DHCPSRV_SERVER_ID_WRITE_FAIL"), "cannot store server identifier in {Path}: {Reason}", path, ex.Message);
            }
            catch (UnauthorizedAccessException ex)
            {
                logger.LogWarning(new EventId(0, "DHCPSRV_SERVER_ID_WRITE_FAIL"), "cannot store server identifier in {Path}: {Reason}", path, ex.Message);
            }
        }

        return duid;
    }

    /// <summary>A stored DUID is kept unless the configuration pins a different type or value.</summary>
    private static bool Matches(ServerIdConfig config, Duid stored)
    {
        var expected = config.Type switch
        {
            DuidKind.En => DuidType.En,
            DuidKind.Ll => DuidType.Ll,
            _ => DuidType.Llt,
        };
        if (stored.Type != expected)
        {
            return false;
        }

        return config.Identifier is null || Generate(config, TimeProvider.System).Bytes.SequenceEqual(stored.Bytes);
    }

    public static Duid Generate(ServerIdConfig config, TimeProvider time)
    {
        switch (config.Type)
        {
            case DuidKind.En:
                return Duid.CreateEn(config.EnterpriseId ?? 2495, config.Identifier ?? RandomIdentifier());
            case DuidKind.Ll:
                {
                    var (htype, mac) = HardwareAddress(config);
                    return Duid.CreateLl(htype, mac);
                }

            default:
                {
                    var (htype, mac) = HardwareAddress(config);
                    var seconds = config.Time ?? (uint)Math.Max(0, (time.GetUtcNow().UtcDateTime - DuidEpoch).TotalSeconds);
                    return Duid.CreateLlt(htype, seconds, mac);
                }
        }
    }

    private static (ushort HardwareType, byte[] Address) HardwareAddress(ServerIdConfig config)
    {
        if (config.Identifier is { Length: > 0 } identifier)
        {
            return (config.HardwareType ?? 1, identifier);
        }

        // Kea picks the MAC of an interface that has one; loopback has none.
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            var mac = nic.GetPhysicalAddress().GetAddressBytes();
            if (mac.Length >= 6 && mac.Any(b => b != 0))
            {
                return (config.HardwareType ?? 1, mac);
            }
        }

        return (config.HardwareType ?? 1, RandomIdentifier());
    }

    private static byte[] RandomIdentifier()
    {
        var bytes = new byte[6];
        Random.Shared.NextBytes(bytes);
        bytes[0] = (byte)((bytes[0] & 0xFE) | 0x02); // locally administered, unicast
        return bytes;
    }
}
