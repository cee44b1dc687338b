using System.Globalization;
using System.Text;

namespace Pukeko.Ctl.Live;

/// <summary>How the live view writes numbers, durations and utilisation bars.</summary>
internal static class LiveFormat
{
    private static readonly string[] Suffixes = ["k", "M", "G", "T", "P", "E"];

    /// <summary>Exact up to 99,999; above that three significant figures and a suffix. A pool of 2^63 or more is "9.2E+" (the server's counters stop there).</summary>
    public static string Count(long value)
    {
        if (value == long.MaxValue)
        {
            return "9.2E+";
        }

        if (Math.Abs(value) < 100_000)
        {
            return value.ToString("#,0", CultureInfo.InvariantCulture);
        }

        double scaled = value;
        var suffix = -1;
        while (Math.Abs(scaled) >= 1000 && suffix < Suffixes.Length - 1)
        {
            scaled /= 1000;
            suffix++;
        }

        var format = Math.Abs(scaled) < 10 ? "0.00" : Math.Abs(scaled) < 100 ? "0.0" : "0";
        return scaled.ToString(format, CultureInfo.InvariantCulture) + Suffixes[suffix];
    }

    /// <summary>"-" without a total; a used pool below 0.1% says so instead of showing 0.0%.</summary>
    public static string Percent(double? fraction) => fraction switch
    {
        null => "-",
        > 0 and < 0.001 => "<0.1%",
        { } f => (f * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
    };

    /// <summary>Per second with one decimal; "-" until there are two polls.</summary>
    public static string Rate(double? perSecond) =>
        perSecond is { } r ? r.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>A signed change per second ("+1.5", "-0.5", "0").</summary>
    public static string Change(double? perSecond)
    {
        if (perSecond is not { } r)
        {
            return "-";
        }

        var text = r.ToString("0.0", CultureInfo.InvariantCulture);
        return r > 0 ? "+" + text : r == 0 ? "0" : text;
    }

    /// <summary>Days and h:mm:ss.</summary>
    public static string Duration(TimeSpan span) => span.Days > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{span.Days}d {span.Hours:00}:{span.Minutes:00}:{span.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Hours}:{span.Minutes:00}:{span.Seconds:00}");

    /// <summary>
    /// Filled cells for <paramref name="fraction"/> of <paramref name="width"/>, rounded; a pool with any lease
    /// shows at least one so that it never looks empty. Null (no total) gives blank cells.
    /// </summary>
    public static int FilledCells(double? fraction, long assigned, int width)
    {
        if (fraction is not { } f)
        {
            return 0;
        }

        var filled = (int)Math.Round(f * width, MidpointRounding.AwayFromZero);
        return Math.Clamp(assigned > 0 ? Math.Max(1, filled) : filled, 0, width);
    }

    /// <summary>The bar as text: block characters on a terminal, "#" and "." for plain output.</summary>
    public static string Bar(double? fraction, long assigned, int width, bool unicode)
    {
        if (fraction is null)
        {
            return new string(' ', width);
        }

        var filled = FilledCells(fraction, assigned, width);
        return new StringBuilder(width)
            .Append(unicode ? '█' : '#', filled)
            .Append(unicode ? '░' : '.', width - filled)
            .ToString();
    }
}
