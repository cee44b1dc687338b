namespace Pukeko.Hooks.Configuration;

/// <summary>
/// The <c>ddns-*</c> parameters in force for a client (global, shared network, subnet or pool, as inherited): the
/// <c>ddns-params</c> argument of <c>ddns6_update</c>. Modes are Kea's configuration spellings.
/// </summary>
public sealed class DdnsParameters
{
    /// <summary><c>ddns-send-updates</c>.</summary>
    public bool SendUpdates { get; init; }

    /// <summary><c>ddns-override-no-update</c>.</summary>
    public bool OverrideNoUpdate { get; init; }

    /// <summary><c>ddns-override-client-update</c>.</summary>
    public bool OverrideClientUpdate { get; init; }

    /// <summary><c>ddns-replace-client-name</c>: <c>never</c>, <c>always</c>, <c>when-present</c> or <c>when-not-present</c>.</summary>
    public string ReplaceClientName { get; init; } = "never";

    /// <summary><c>ddns-generated-prefix</c>.</summary>
    public string GeneratedPrefix { get; init; } = "myhost";

    /// <summary><c>ddns-qualifying-suffix</c>.</summary>
    public string QualifyingSuffix { get; init; } = "";

    /// <summary><c>ddns-update-on-renew</c>.</summary>
    public bool UpdateOnRenew { get; init; }

    /// <summary><c>ddns-conflict-resolution-mode</c>, e.g. <c>check-with-dhcid</c>.</summary>
    public string ConflictResolutionMode { get; init; } = "check-with-dhcid";

    /// <summary><c>ddns-ttl-percent</c>, when set.</summary>
    public double? TtlPercent { get; init; }

    /// <summary><c>ddns-ttl</c>, when set.</summary>
    public uint? Ttl { get; init; }

    /// <summary><c>ddns-ttl-min</c>, when set.</summary>
    public uint? TtlMin { get; init; }

    /// <summary><c>ddns-ttl-max</c>, when set.</summary>
    public uint? TtlMax { get; init; }

    /// <summary><c>hostname-char-set</c>.</summary>
    public string HostnameCharSet { get; init; } = "";

    /// <summary><c>hostname-char-replacement</c>.</summary>
    public string HostnameCharReplacement { get; init; } = "";
}
