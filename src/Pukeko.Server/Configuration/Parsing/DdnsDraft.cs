using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// The <c>ddns-*</c> and <c>hostname-char-*</c> keys of one level (global, shared network, subnet, pool), as read;
/// null means "not given here, inherit". Each level registers the same handlers and checks.
/// </summary>
internal sealed class DdnsDraft
{
    public bool? SendUpdates { get; set; }

    public bool? OverrideNoUpdate { get; set; }

    public bool? OverrideClientUpdate { get; set; }

    public DdnsReplaceClientName? ReplaceClientName { get; set; }

    public string? GeneratedPrefix { get; set; }

    public string? QualifyingSuffix { get; set; }

    public bool? UpdateOnRenew { get; set; }

    public DdnsConflictResolution? ConflictResolution { get; set; }

    public string? ConflictResolutionPath { get; set; }

    /// <summary>Where <c>ddns-use-conflict-resolution</c> was given (it and the mode must not both be).</summary>
    public string? UseConflictResolutionPath { get; set; }

    public double? TtlPercent { get; set; }

    public uint? Ttl { get; set; }

    public uint? TtlMin { get; set; }

    public uint? TtlMax { get; set; }

    public string? HostnameCharSet { get; set; }

    public string? HostnameCharReplacement { get; set; }

    /// <summary>The keys alone, for values found under another name (the old <c>dhcp-ddns</c> spellings).</summary>
    public static KeyTable<DdnsDraft> Keys { get; } = CreateKeys();

    private static KeyTable<DdnsDraft> CreateKeys()
    {
        var keys = new KeyTable<DdnsDraft>("ddns");
        Register(keys, d => d);
        return keys;
    }

    public bool IsEmpty =>
        SendUpdates is null && OverrideNoUpdate is null && OverrideClientUpdate is null && ReplaceClientName is null
        && GeneratedPrefix is null && QualifyingSuffix is null && UpdateOnRenew is null && ConflictResolution is null
        && TtlPercent is null && Ttl is null && TtlMin is null && TtlMax is null && HostnameCharSet is null
        && HostnameCharReplacement is null;

    /// <summary>This level's values over <paramref name="inherited"/>.</summary>
    public DdnsParameters Resolve(DdnsParameters inherited) => IsEmpty ? inherited : new DdnsParameters
    {
        SendUpdates = SendUpdates ?? inherited.SendUpdates,
        OverrideNoUpdate = OverrideNoUpdate ?? inherited.OverrideNoUpdate,
        OverrideClientUpdate = OverrideClientUpdate ?? inherited.OverrideClientUpdate,
        ReplaceClientName = ReplaceClientName ?? inherited.ReplaceClientName,
        GeneratedPrefix = GeneratedPrefix ?? inherited.GeneratedPrefix,
        QualifyingSuffix = QualifyingSuffix ?? inherited.QualifyingSuffix,
        UpdateOnRenew = UpdateOnRenew ?? inherited.UpdateOnRenew,
        ConflictResolution = ConflictResolution ?? inherited.ConflictResolution,
        TtlPercent = TtlPercent ?? inherited.TtlPercent,
        Ttl = Ttl ?? inherited.Ttl,
        TtlMin = TtlMin ?? inherited.TtlMin,
        TtlMax = TtlMax ?? inherited.TtlMax,
        HostnameCharSet = HostnameCharSet ?? inherited.HostnameCharSet,
        HostnameCharReplacement = HostnameCharReplacement ?? inherited.HostnameCharReplacement,
    };

    /// <summary>
    /// Registers every key on <paramref name="table"/>. Pools do not take the deprecated
    /// <c>ddns-use-conflict-resolution</c> (Kea's pool grammar lacks it).
    /// </summary>
    public static void Register<TDraft>(KeyTable<TDraft> table, Func<TDraft, DdnsDraft> select, bool acceptsUseConflictResolution = true)
    {
        table.On("ddns-send-updates", (d, v, p, c) => { if (c.TryBool(v, p, out var b)) { select(d).SendUpdates = b; } });
        table.On("ddns-override-no-update", (d, v, p, c) => { if (c.TryBool(v, p, out var b)) { select(d).OverrideNoUpdate = b; } });
        table.On("ddns-override-client-update", (d, v, p, c) => { if (c.TryBool(v, p, out var b)) { select(d).OverrideClientUpdate = b; } });
        table.On("ddns-update-on-renew", (d, v, p, c) => { if (c.TryBool(v, p, out var b)) { select(d).UpdateOnRenew = b; } });
        table.On("ddns-replace-client-name", (d, v, p, c) => ParseReplaceClientName(select(d), v, p, c));
        table.On("ddns-generated-prefix", (d, v, p, c) => ParseGeneratedPrefix(select(d), v, p, c));
        table.On("ddns-qualifying-suffix", (d, v, p, c) => ParseQualifyingSuffix(select(d), v, p, c));
        table.On("ddns-conflict-resolution-mode", (d, v, p, c) => ParseConflictResolution(select(d), v, p, c));
        if (acceptsUseConflictResolution)
        {
            table.On("ddns-use-conflict-resolution", (d, v, p, c) => ParseUseConflictResolution(select(d), v, p, c));
        }

        table.On("ddns-ttl-percent", (d, v, p, c) =>
        {
            if (c.TryDouble(v, p, out var x))
            {
                if (x < 0 || double.IsNaN(x) || double.IsInfinity(x))
                {
                    c.Error(p, $"ddns-ttl-percent must not be negative, got {x}");
                    return;
                }

                select(d).TtlPercent = x;
            }
        });
        table.On("ddns-ttl", (d, v, p, c) => { if (c.TryUInt32(v, p, out var x)) { select(d).Ttl = x; } });
        table.On("ddns-ttl-min", (d, v, p, c) => { if (c.TryUInt32(v, p, out var x)) { select(d).TtlMin = x; } });
        table.On("ddns-ttl-max", (d, v, p, c) => { if (c.TryUInt32(v, p, out var x)) { select(d).TtlMax = x; } });
        table.On("hostname-char-set", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            if (s.Length > 0)
            {
                try
                {
                    _ = DdnsParameters.Compile(s);
                }
                catch (ArgumentException)
                {
                    c.Error(p, $"hostname-char-set '{s}' is not a valid regular expression");
                    return;
                }
            }

            select(d).HostnameCharSet = s;
        });
        table.On("hostname-char-replacement", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                select(d).HostnameCharReplacement = s;
            }
        });
    }

    /// <summary>The checks Kea makes within one level: <c>ddns-ttl</c> excludes the others; max not below min.</summary>
    public void Check(string levelPath, ParseContext context)
    {
        if (Ttl.HasValue)
        {
            foreach (var (value, key) in new[] { (TtlPercent.HasValue, "ddns-ttl-percent"), (TtlMin.HasValue, "ddns-ttl-min"), (TtlMax.HasValue, "ddns-ttl-max") })
            {
                if (value)
                {
                    context.Error(ParseContext.Child(levelPath, key), $"cannot specify both {key} and ddns-ttl");
                }
            }
        }

        if (TtlMax is { } max && TtlMin is { } min && max < min)
        {
            context.Error(ParseContext.Child(levelPath, "ddns-ttl-max"), $"ddns-ttl-max: {max} must be greater than ddns-ttl-min: {min}");
        }

        if (UseConflictResolutionPath is not null && ConflictResolutionPath is not null)
        {
            context.Error(UseConflictResolutionPath, "specify either ddns-use-conflict-resolution (deprecated) or ddns-conflict-resolution-mode, not both");
        }
    }

    private static void ParseReplaceClientName(DdnsDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            context.Error(path, "boolean values for ddns-replace-client-name are no longer supported (use never, always, when-present or when-not-present)");
            return;
        }

        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        draft.ReplaceClientName = text switch
        {
            "never" => DdnsReplaceClientName.Never,
            "always" => DdnsReplaceClientName.Always,
            "when-present" => DdnsReplaceClientName.WhenPresent,
            "when-not-present" => DdnsReplaceClientName.WhenNotPresent,
            _ => null,
        };
        if (draft.ReplaceClientName is null)
        {
            context.Error(path, $"invalid ddns-replace-client-name '{text}' (expected never, always, when-present or when-not-present)");
        }
    }

    private static void ParseConflictResolution(DdnsDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        var mode = ConflictResolutionFromText(text);
        if (mode is null)
        {
            context.Error(path, $"invalid ddns-conflict-resolution-mode '{text}' (expected check-with-dhcid, no-check-with-dhcid, check-exists-with-dhcid or no-check-without-dhcid)");
            return;
        }

        draft.ConflictResolution = mode;
        draft.ConflictResolutionPath = path;
    }

    private static void ParseUseConflictResolution(DdnsDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryBool(value, path, out var use))
        {
            return;
        }

        // Kea rewrites the deprecated flag into the mode it stands for.
        context.Warn(path, "ddns-use-conflict-resolution is deprecated; substituting ddns-conflict-resolution-mode");
        draft.UseConflictResolutionPath = path;
        draft.ConflictResolution ??= use ? DdnsConflictResolution.CheckWithDhcid : DdnsConflictResolution.NoCheckWithDhcid;
    }

    private static void ParseGeneratedPrefix(DdnsDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        // The prefix starts every generated name, so it has to be usable as DNS label text (Kea allows it empty).
        if (text.Length > 0 && !IsDomainName(text))
        {
            context.Error(path, $"ddns-generated-prefix '{text}' is not a valid DNS label");
            return;
        }

        draft.GeneratedPrefix = text;
    }

    private static void ParseQualifyingSuffix(DdnsDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        if (text.Length > 0 && !IsDomainName(text))
        {
            context.Error(path, $"ddns-qualifying-suffix '{text}' is not a valid domain name");
            return;
        }

        draft.QualifyingSuffix = text;
    }

    /// <summary>The conflict resolution mode for Kea's text, or null.</summary>
    public static DdnsConflictResolution? ConflictResolutionFromText(string text) => text switch
    {
        "check-with-dhcid" => DdnsConflictResolution.CheckWithDhcid,
        "no-check-with-dhcid" => DdnsConflictResolution.NoCheckWithDhcid,
        "check-exists-with-dhcid" => DdnsConflictResolution.CheckExistsWithDhcid,
        "no-check-without-dhcid" => DdnsConflictResolution.NoCheckWithoutDhcid,
        _ => null,
    };

    /// <summary>Non-empty labels of at most 63 octets, at most 255 octets in all (a single trailing dot allowed).</summary>
    private static bool IsDomainName(string text)
    {
        var name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length == 0 || name.Length > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.Any(char.IsWhiteSpace))
            {
                return false;
            }
        }

        return true;
    }
}
