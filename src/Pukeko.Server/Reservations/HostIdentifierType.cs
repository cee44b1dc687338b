namespace Pukeko.Server.Reservations;

/// <summary>Kinds of host identifier a DHCPv6 reservation can use (Kea's <c>host-reservation-identifiers</c>).</summary>
internal enum HostIdentifierType
{
    /// <summary><c>hw-address</c>: learned from the DUID, the link-local address or relay options.</summary>
    HwAddress,

    /// <summary><c>duid</c>: the Client Identifier's DUID.</summary>
    Duid,

    /// <summary><c>flex-id</c>: computed by a hook library at <c>host6_identifier</c>.</summary>
    FlexId,
}
