using System.Globalization;

namespace Pukeko.Server.BuiltIn.Limits;

/// <summary>
/// A <c>rate-limit</c> of Kea's limits library: "<c>&lt;n&gt; packet[s] per &lt;unit&gt;</c>", with the units Kea
/// knows (a month is 30 days and a year 365, as in Kea). At most <see cref="AllowedPackets"/> packets are honored in
/// any window of one <see cref="Unit"/>.
/// </summary>
internal sealed record RateLimit(uint AllowedPackets, TimeSpan Unit, string Text)
{
    private static readonly string[] Separators = [" packets per ", " packet per "];

    /// <summary>Parses <paramref name="text"/>; the reason it is wrong otherwise.</summary>
    public static RateLimit? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var separator = Array.Find(Separators, s => text.Contains(s, StringComparison.Ordinal));
        if (separator is null)
        {
            error = $"expected rate limit of format <n> packet[s] per <time-unit>, got: {text}";
            return null;
        }

        var index = text.IndexOf(separator, StringComparison.Ordinal);
        var count = text[..index].Trim();
        if (!long.TryParse(count, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var allowed))
        {
            error = $"expected a number of packets before '{separator.Trim()}', got: {text}";
            return null;
        }

        if (allowed < 0)
        {
            error = $"expected positive limit configured, got negative limit {allowed}";
            return null;
        }

        if (allowed > uint.MaxValue)
        {
            error = $"expected limit in range [0, {uint.MaxValue}], got limit {allowed}";
            return null;
        }

        var period = text[(index + separator.Length)..];
        TimeSpan? unit = period switch
        {
            "second" => TimeSpan.FromSeconds(1),
            "minute" => TimeSpan.FromMinutes(1),
            "hour" => TimeSpan.FromHours(1),
            "day" => TimeSpan.FromDays(1),
            "week" => TimeSpan.FromDays(7),
            "month" => TimeSpan.FromDays(30),
            "year" => TimeSpan.FromDays(365),
            _ => null,
        };
        if (unit is null)
        {
            error = $"invalid time period {period}";
            return null;
        }

        return new RateLimit((uint)allowed, unit.Value, text);
    }

    public override string ToString() => Text;
}
