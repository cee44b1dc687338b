using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Control.Commands;

/// <summary>Kea's identification parameters of <c>lease6-get</c> and <c>lease6-del</c>, with its texts.</summary>
internal static class LeaseQueryParser
{
    public const int MinDuidLength = 3;
    public const int MaxDuidLength = 130;

    public static LeaseQuery Parse(JsonObject? args)
    {
        if (args is null)
        {
            throw new CommandArgumentException("Parameters missing or are not a map.");
        }

        var type = LeaseType.NA;
        if (args.TryGetPropertyValue("type", out var typeNode) && typeNode is not null)
        {
            type = typeNode is JsonValue v && v.TryGetValue<string>(out var name)
                ? name switch
                {
                    "IA_NA" => LeaseType.NA,
                    "IA_PD" => LeaseType.PD,
                    "IA_TA" => LeaseType.TA,
                    _ => throw new CommandArgumentException($"Incorrect lease type: {name}, the only supported values are: IA_NA, IA_TA and IA_PD"),
                }
                : throw new CommandArgumentException("'type' is not a string.");
        }

        if (args.TryGetPropertyValue("ip-address", out var ipNode) && ipNode is not null)
        {
            if (ipNode is not JsonValue ipValue || !ipValue.TryGetValue<string>(out var text))
            {
                throw new CommandArgumentException("'ip-address' is not a string.");
            }

            var address = KeaParameters.ParseAddress(text)
                ?? throw new CommandArgumentException($"Failed to convert string to address '{text}': Invalid argument");
            return new LeaseQuery(address, type, 0, null, 0);
        }

        if (!args.TryGetPropertyValue("subnet-id", out var subnetNode) || subnetNode is null)
        {
            throw new CommandArgumentException("Mandatory 'subnet-id' parameter missing.");
        }

        var subnetId = Integer(subnetNode, "subnet-id");
        if (!args.TryGetPropertyValue("identifier-type", out var typeOfId) || typeOfId is not JsonValue idType || !idType.TryGetValue<string>(out var identifierType))
        {
            throw new CommandArgumentException("No 'ip-address' provided and 'identifier-type' is either missing or not a string.");
        }

        if (!args.TryGetPropertyValue("identifier", out var idNode) || idNode is not JsonValue idValue || !idValue.TryGetValue<string>(out var identifier))
        {
            throw new CommandArgumentException("No 'ip-address' provided and 'identifier' is either missing or not a string.");
        }

        switch (identifierType)
        {
            case "duid":
                break;
            case "hw-address" or "client-id":
                throw new CommandArgumentException($"Query by {identifierType} is not allowed in v6.");
            default:
                throw new CommandArgumentException($"Incorrect identifier type: {identifierType}, the only supported values are: hw-address, duid, client-id");
        }

        byte[] duid;
        try
        {
            duid = ParseDuid(identifier);
        }
        catch (FormatException ex)
        {
            throw new CommandArgumentException($"Bad 'duid' identifier: {ex.Message}");
        }

        uint iaid = 0;
        if (args.TryGetPropertyValue("iaid", out var iaidNode) && iaidNode is not null)
        {
            iaid = (uint)Integer(iaidNode, "iaid");
        }
        else
        {
            throw new CommandArgumentException("Parameter 'iaid' is mandatory.");
        }

        return new LeaseQuery(null, type, (uint)subnetId, duid, iaid);
    }

    /// <summary>A DUID with RFC 8415 §11.1's length limits (2 type octets plus 1..128 octets).</summary>
    public static byte[] ParseDuid(string text)
    {
        var duid = KeaHex.DecodeFormatted(text);
        if (duid.Length < MinDuidLength)
        {
            throw new FormatException($"identifier is too short ({duid.Length}), at least {MinDuidLength} is required");
        }

        if (duid.Length > MaxDuidLength)
        {
            throw new FormatException($"identifier is too large ({duid.Length}), at most {MaxDuidLength} is required");
        }

        return duid;
    }

    private static long Integer(JsonNode node, string name) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var x) && x is >= 0 and <= uint.MaxValue
            ? x
            : throw new CommandArgumentException($"'{name}' parameter is not integer.");
}
