namespace Pukeko.Server.Configuration;

/// <summary><c>ddns-conflict-resolution-mode</c>: how kea-dhcp-ddns guards DNS names owned by other clients (RFC 4703).</summary>
internal enum DdnsConflictResolution
{
    /// <summary>Add only when the name is free or carries this client's DHCID (RFC 4703 rules).</summary>
    CheckWithDhcid,

    /// <summary>Overwrite the records, still adding a DHCID.</summary>
    NoCheckWithDhcid,

    /// <summary>Overwrite only when some DHCID exists.</summary>
    CheckExistsWithDhcid,

    /// <summary>Overwrite without any DHCID records.</summary>
    NoCheckWithoutDhcid,
}
