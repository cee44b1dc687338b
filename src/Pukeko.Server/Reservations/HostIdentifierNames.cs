namespace Pukeko.Server.Reservations;

/// <summary>Kea's configuration names of host identifier types.</summary>
internal static class HostIdentifierNames
{
    public static string ToKeaName(HostIdentifierType type) => type switch
    {
        HostIdentifierType.HwAddress => "hw-address",
        HostIdentifierType.Duid => "duid",
        HostIdentifierType.FlexId => "flex-id",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string name, out HostIdentifierType type)
    {
        switch (name)
        {
            case "hw-address": type = HostIdentifierType.HwAddress; return true;
            case "duid": type = HostIdentifierType.Duid; return true;
            case "flex-id": type = HostIdentifierType.FlexId; return true;
            default: type = default; return false;
        }
    }
}
