namespace Pukeko.Server.Hooks;

/// <summary>Host reservation identifier types with Kea's numeric values (<c>Host::IdentifierType</c>), for <c>host6_identifier</c>.</summary>
public enum HostIdentifierType
{
    /// <summary>Client hardware address.</summary>
    HwAddress = 0,

    /// <summary>Client DUID.</summary>
    Duid = 1,

    /// <summary>Relay circuit id (DHCPv4 only in Kea).</summary>
    CircuitId = 2,

    /// <summary>Client identifier (DHCPv4 only in Kea).</summary>
    ClientId = 3,

    /// <summary>Flexible identifier computed by a hook (the default offered to <c>host6_identifier</c>).</summary>
    FlexId = 4,
}
