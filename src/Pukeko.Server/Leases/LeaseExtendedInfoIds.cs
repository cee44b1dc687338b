using System.Text.Json;

namespace Pukeko.Server.Leases;

/// <summary>
/// The relay-id and remote-id values of a lease's stored relay information (<c>ISC.relay-info[].relay-id</c> and
/// <c>remote-id</c>, hex), read as Kea reads them to fill its extended-info tables (<c>LeaseMgr::addExtendedInfo6</c>):
/// a relay whose entries are missing, empty or not hex is skipped, and an empty relay-id skips that relay's remote-id
/// too, as in Kea.
/// </summary>
internal static class LeaseExtendedInfoIds
{
    public static (IReadOnlyList<byte[]> RelayIds, IReadOnlyList<byte[]> RemoteIds) Extract(string? userContext)
    {
        var relayIds = new List<byte[]>();
        var remoteIds = new List<byte[]>();
        if (string.IsNullOrEmpty(userContext))
        {
            return (relayIds, remoteIds);
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(userContext).RootElement;
        }
        catch (JsonException)
        {
            return (relayIds, remoteIds);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ISC", out var isc) || isc.ValueKind != JsonValueKind.Object
            || !isc.TryGetProperty("relay-info", out var relays) || relays.ValueKind != JsonValueKind.Array)
        {
            return (relayIds, remoteIds);
        }

        foreach (var relay in relays.EnumerateArray())
        {
            if (relay.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (relay.TryGetProperty("relay-id", out var relayId))
            {
                if (Hex(relayId) is not { Length: > 0 } bytes)
                {
                    continue;
                }

                relayIds.Add(bytes);
            }

            if (relay.TryGetProperty("remote-id", out var remoteId) && Hex(remoteId) is { Length: > 0 } remote)
            {
                remoteIds.Add(remote);
            }
        }

        return (relayIds, remoteIds);
    }

    private static byte[]? Hex(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // What Kea writes is plain hex; an 0x prefix and ':' separators are tolerated, as lease query reads them.
        var digits = value.GetString()!.Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        digits = digits.Replace(":", "", StringComparison.Ordinal);
        try
        {
            return Convert.FromHexString(digits.Length % 2 == 1 ? "0" + digits : digits);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
