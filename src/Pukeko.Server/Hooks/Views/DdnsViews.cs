using Pukeko.Server.Configuration;
using Pukeko.Server.Ddns;
using DdnsParametersView = Pukeko.Hooks.Configuration.DdnsParameters;

namespace Pukeko.Server.Hooks.Views;

/// <summary>The <c>ddns-params</c> argument of <c>ddns6_update</c>: the engine's DDNS parameters as a callout sees them.</summary>
internal static class DdnsViews
{
    /// <summary>A callout's copy of <paramref name="parameters"/>, modes in Kea's configuration spellings.</summary>
    public static DdnsParametersView ToView(DdnsParameters parameters) => new()
    {
        SendUpdates = parameters.SendUpdates,
        OverrideNoUpdate = parameters.OverrideNoUpdate,
        OverrideClientUpdate = parameters.OverrideClientUpdate,
        ReplaceClientName = parameters.ReplaceClientName switch
        {
            DdnsReplaceClientName.Always => "always",
            DdnsReplaceClientName.WhenPresent => "when-present",
            DdnsReplaceClientName.WhenNotPresent => "when-not-present",
            _ => "never",
        },
        GeneratedPrefix = parameters.GeneratedPrefix,
        QualifyingSuffix = parameters.QualifyingSuffix,
        UpdateOnRenew = parameters.UpdateOnRenew,
        ConflictResolutionMode = NameChangeRequest.ModeText(parameters.ConflictResolution),
        TtlPercent = parameters.TtlPercent,
        Ttl = parameters.Ttl,
        TtlMin = parameters.TtlMin,
        TtlMax = parameters.TtlMax,
        HostnameCharSet = parameters.HostnameCharSet,
        HostnameCharReplacement = parameters.HostnameCharReplacement,
    };
}
