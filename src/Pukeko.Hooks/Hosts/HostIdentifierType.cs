namespace Pukeko.Hooks.Hosts;

/// <summary>Kinds of host identifier, with Kea's numeric values (<c>Host::IdentifierType</c>).</summary>
public enum HostIdentifierType
{
    /// <summary><c>hw-address</c>: the client's hardware address.</summary>
    HwAddress = 0,

    /// <summary><c>duid</c>: the client's DUID.</summary>
    Duid = 1,

    /// <summary><c>circuit-id</c> (DHCPv4 only in Kea).</summary>
    CircuitId = 2,

    /// <summary><c>client-id</c> (DHCPv4 only in Kea).</summary>
    ClientId = 3,

    /// <summary><c>flex-id</c>: computed by a hook library in <c>host6_identifier</c>.</summary>
    FlexId = 4,
}
