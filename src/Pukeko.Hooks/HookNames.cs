namespace Pukeko.Hooks;

/// <summary>The hook point names, spelled as in Kea.</summary>
public static class HookNames
{
    /// <summary>Per-packet callout handle created.</summary>
    public const string ContextCreate = "context_create";

    /// <summary>Per-packet callout handle destroyed.</summary>
    public const string ContextDestroy = "context_destroy";

    /// <summary>After a (re)configuration has been applied.</summary>
    public const string Dhcp6SrvConfigured = "dhcp6_srv_configured";

    /// <summary>Raw datagram received, not parsed yet.</summary>
    public const string Buffer6Receive = "buffer6_receive";

    /// <summary>Packet parsed.</summary>
    public const string Pkt6Receive = "pkt6_receive";

    /// <summary>Subnet selected for the packet.</summary>
    public const string Subnet6Select = "subnet6_select";

    /// <summary>Host identifier for reservation lookup (flex-id).</summary>
    public const string Host6Identifier = "host6_identifier";

    /// <summary>A new lease is about to be assigned.</summary>
    public const string Lease6Select = "lease6_select";

    /// <summary>A lease is about to be renewed.</summary>
    public const string Lease6Renew = "lease6_renew";

    /// <summary>A lease is about to be rebound.</summary>
    public const string Lease6Rebind = "lease6_rebind";

    /// <summary>A lease is about to be released.</summary>
    public const string Lease6Release = "lease6_release";

    /// <summary>A lease is about to be declined.</summary>
    public const string Lease6Decline = "lease6_decline";

    /// <summary>Leases of a packet have been committed to the lease database.</summary>
    public const string Leases6Committed = "leases6_committed";

    /// <summary>Response about to be packed.</summary>
    public const string Pkt6Send = "pkt6_send";

    /// <summary>Response packed, about to be sent.</summary>
    public const string Buffer6Send = "buffer6_send";

    /// <summary>An expired lease is being reclaimed.</summary>
    public const string Lease6Expire = "lease6_expire";

    /// <summary>A declined lease's probation has ended.</summary>
    public const string Lease6Recover = "lease6_recover";

    /// <summary>A control command has been processed.</summary>
    public const string CommandProcessed = "command_processed";

    /// <summary>The server decided a client's DNS name and update directions; callouts may change them.</summary>
    public const string Ddns6Update = "ddns6_update";
}
