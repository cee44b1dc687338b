using System.Text;
using System.Text.RegularExpressions;

namespace Pukeko.Server.Configuration;

/// <summary>
/// The behavioural <c>ddns-*</c> and <c>hostname-char-*</c> parameters in force for one scope (global, shared network,
/// subnet or pool), after inheritance; defaults are Kea's. Whether updates happen at all also needs
/// <c>dhcp-ddns.enable-updates</c> (see <see cref="DhcpDdnsConfig"/>).
/// </summary>
internal sealed record DdnsParameters
{
    /// <summary>Kea's default <c>hostname-char-set</c>: everything but letters, digits, '.' and '-' is replaced.</summary>
    public const string DefaultHostnameCharSet = "[^A-Za-z0-9.-]";

    /// <summary>RFC 4702's lower bound for the DNS TTL, Kea's <c>ddns-ttl-min</c> when unset.</summary>
    public const uint DefaultTtlMin = 600;

    /// <summary>RFC 4702's suggested fraction of the lease lifetime, used when <c>ddns-ttl-percent</c> is unset.</summary>
    public const double DefaultTtlFraction = 0.33333;

    public static DdnsParameters Default { get; } = new();

    /// <summary>
    /// The compiled <see cref="HostnameCharSet"/> with the pattern it came from (a <c>with</c> copy may change it); one
    /// reference, so workers racing to fill it never see a torn value.
    /// </summary>
    private Tuple<string, Regex>? _sanitizer;

    public bool SendUpdates { get; init; } = true;

    public bool OverrideNoUpdate { get; init; }

    public bool OverrideClientUpdate { get; init; }

    public DdnsReplaceClientName ReplaceClientName { get; init; } = DdnsReplaceClientName.Never;

    public string GeneratedPrefix { get; init; } = "myhost";

    public string QualifyingSuffix { get; init; } = "";

    public bool UpdateOnRenew { get; init; }

    public DdnsConflictResolution ConflictResolution { get; init; } = DdnsConflictResolution.CheckWithDhcid;

    /// <summary><c>ddns-ttl-percent</c>; null when unset.</summary>
    public double? TtlPercent { get; init; }

    /// <summary><c>ddns-ttl</c>; null (or 0) when unset.</summary>
    public uint? Ttl { get; init; }

    public uint? TtlMin { get; init; }

    public uint? TtlMax { get; init; }

    /// <summary>Regular expression of characters to replace in client names; empty turns sanitising off.</summary>
    public string HostnameCharSet { get; init; } = DefaultHostnameCharSet;

    public string HostnameCharReplacement { get; init; } = "";

    /// <summary>Replaces what <see cref="HostnameCharSet"/> matches in one label; the label unchanged when sanitising is off.</summary>
    public string Sanitize(string label)
    {
        if (HostnameCharSet.Length == 0)
        {
            return label;
        }

        var compiled = _sanitizer;
        if (compiled is null || compiled.Item1 != HostnameCharSet)
        {
            compiled = Tuple.Create(HostnameCharSet, Compile(HostnameCharSet));
            _sanitizer = compiled;
        }

        return compiled.Item2.Replace(label, HostnameCharReplacement.Replace("$", "$$", StringComparison.Ordinal));
    }

    /// <summary>
    /// Compiles a <c>hostname-char-set</c>; throws <see cref="ArgumentException"/> when it is not a valid expression.
    /// Kea reads it as a POSIX extended expression, so POSIX classes in brackets (<c>[^[:alnum:]-]</c>) are turned into
    /// their .NET ranges first.
    /// </summary>
    internal static Regex Compile(string pattern)
    {
        foreach (var (posix, net) in PosixClasses)
        {
            pattern = pattern.Replace(posix, net, StringComparison.Ordinal);
        }

        return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    private static readonly (string Posix, string Net)[] PosixClasses =
    [
        ("[:alnum:]", "A-Za-z0-9"), ("[:alpha:]", "A-Za-z"), ("[:digit:]", "0-9"), ("[:lower:]", "a-z"),
        ("[:upper:]", "A-Z"), ("[:xdigit:]", "0-9A-Fa-f"), ("[:space:]", @"\s"), ("[:blank:]", @" \t"),
        ("[:punct:]", @"!-/:-@\[-`{-~"), ("[:cntrl:]", @"\x00-\x1f\x7f"), ("[:print:]", @"\x20-\x7e"), ("[:graph:]", @"\x21-\x7e"),
    ];

    /// <summary>
    /// The DNS TTL for a lease of <paramref name="lifetime"/> seconds (Kea's calculateDdnsTtl): <c>ddns-ttl</c> when
    /// set, else the percentage (or a third) of the lifetime, raised to the minimum (600 unless set) and capped by the
    /// maximum when set.
    /// </summary>
    public uint CalculateTtl(uint lifetime)
    {
        if (Ttl is > 0 and var explicitTtl)
        {
            return explicitTtl;
        }

        var fraction = TtlPercent is > 0 and var percent ? percent : DefaultTtlFraction;
        var ttl = (uint)Math.Min(uint.MaxValue, Math.Round(fraction * lifetime, MidpointRounding.AwayFromZero));
        var min = TtlMin is > 0 and var m ? m : DefaultTtlMin;
        if (ttl < min)
        {
            return min;
        }

        return TtlMax is > 0 and var max && ttl > max ? max : ttl;
    }

    /// <summary>
    /// <paramref name="name"/> with the qualifying suffix appended unless the name (less a trailing dot) already ends
    /// with it as whole labels, then with or without a trailing dot as asked (Kea's qualifyName: a trailing dot does not
    /// mean the name is qualified, so <c>host.</c> becomes <c>host.example.com.</c>).
    /// </summary>
    public string Qualify(string name, bool trailingDot)
    {
        var text = new StringBuilder(name);
        var suffix = QualifyingSuffix.TrimEnd('.');
        if (suffix.Length > 0 && !EndsWithLabels(name.EndsWith('.') ? name[..^1] : name, suffix))
        {
            if (text.Length > 0 && text[^1] != '.')
            {
                text.Append('.');
            }

            text.Append(suffix);
        }

        var hasDot = text.Length > 0 && text[^1] == '.';
        if (trailingDot && !hasDot && text.Length > 0)
        {
            text.Append('.');
        }
        else if (!trailingDot && hasDot)
        {
            text.Length--;
        }

        return text.ToString();
    }

    private static bool EndsWithLabels(string name, string suffix) =>
        name.EndsWith(suffix, StringComparison.Ordinal)
        && (name.Length == suffix.Length || name[name.Length - suffix.Length - 1] == '.');

    public bool Equals(DdnsParameters? other) =>
        ReferenceEquals(this, other) || other is not null
        && SendUpdates == other.SendUpdates
        && OverrideNoUpdate == other.OverrideNoUpdate
        && OverrideClientUpdate == other.OverrideClientUpdate
        && ReplaceClientName == other.ReplaceClientName
        && GeneratedPrefix == other.GeneratedPrefix
        && QualifyingSuffix == other.QualifyingSuffix
        && UpdateOnRenew == other.UpdateOnRenew
        && ConflictResolution == other.ConflictResolution
        && TtlPercent == other.TtlPercent
        && Ttl == other.Ttl
        && TtlMin == other.TtlMin
        && TtlMax == other.TtlMax
        && HostnameCharSet == other.HostnameCharSet
        && HostnameCharReplacement == other.HostnameCharReplacement;

    public override int GetHashCode() => HashCode.Combine(SendUpdates, ReplaceClientName, GeneratedPrefix, QualifyingSuffix, ConflictResolution, HostnameCharSet);
}
