using System.Globalization;
using System.Text;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// C's <c>strftime</c> in the "C" locale for the forensic log's <c>timestamp-format</c>, plus Kea's <c>%Q</c>
/// (milliseconds and microseconds of the second, as <c>mmm.uuu</c>). Unknown conversions are copied as written.
/// </summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>Formats <paramref name="time"/> (already in the wanted zone) whose zone is called <paramref name="zoneName"/> (<c>%Z</c>).</summary>
    public static string Format(string format, DateTimeOffset time, string zoneName)
    {
        ArgumentNullException.ThrowIfNull(format);
        var text = new StringBuilder(format.Length + 16);
        Append(text, format, time, zoneName);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string format, DateTimeOffset t, string zone)
    {
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            var ch = format[i];
            if (ch != '%' || i + 1 >= format.Length)
            {
                text.Append(ch);
                continue;
            }

            var spec = format[++i];
            switch (spec)
            {
                case 'a': text.Append(Days[(int)t.DayOfWeek], 0, 3); break;
                case 'A': text.Append(Days[(int)t.DayOfWeek]); break;
                case 'b' or 'h': text.Append(Months[t.Month - 1], 0, 3); break;
                case 'B': text.Append(Months[t.Month - 1]); break;
                case 'c': Append(text, "%a %b %e %H:%M:%S %Y", t, zone); break;
                case 'C': text.Append((t.Year / 100).ToString("00", c)); break;
                case 'd': text.Append(t.Day.ToString("00", c)); break;
                case 'D': Append(text, "%m/%d/%y", t, zone); break;
                case 'e': text.Append(t.Day.ToString(c).PadLeft(2)); break;
                case 'F': Append(text, "%Y-%m-%d", t, zone); break;
                case 'H': text.Append(t.Hour.ToString("00", c)); break;
                case 'I': text.Append(Hour12(t).ToString("00", c)); break;
                case 'j': text.Append(t.DayOfYear.ToString("000", c)); break;
                case 'k': text.Append(t.Hour.ToString(c).PadLeft(2)); break;
                case 'l': text.Append(Hour12(t).ToString(c).PadLeft(2)); break;
                case 'm': text.Append(t.Month.ToString("00", c)); break;
                case 'M': text.Append(t.Minute.ToString("00", c)); break;
                case 'n': text.Append('\n'); break;
                case 'p': text.Append(t.Hour < 12 ? "AM" : "PM"); break;
                case 'P': text.Append(t.Hour < 12 ? "am" : "pm"); break;
                case 'Q':
                    var micros = (int)(t.Ticks % TimeSpan.TicksPerSecond / 10);
                    text.Append((micros / 1000).ToString("000", c)).Append('.').Append((micros % 1000).ToString("000", c));
                    break;
                case 'r': Append(text, "%I:%M:%S %p", t, zone); break;
                case 'R': Append(text, "%H:%M", t, zone); break;
                case 's': text.Append(t.ToUnixTimeSeconds().ToString(c)); break;
                case 'S': text.Append(t.Second.ToString("00", c)); break;
                case 't': text.Append('\t'); break;
                case 'T': Append(text, "%H:%M:%S", t, zone); break;
                case 'u': text.Append(t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek); break;
                case 'w': text.Append((int)t.DayOfWeek); break;
                case 'x': Append(text, "%m/%d/%y", t, zone); break;
                case 'X': Append(text, "%H:%M:%S", t, zone); break;
                case 'y': text.Append((t.Year % 100).ToString("00", c)); break;
                case 'Y': text.Append(t.Year.ToString(c)); break;
                case 'z':
                    var offset = t.Offset;
                    text.Append(offset < TimeSpan.Zero ? '-' : '+').Append(Math.Abs(offset.Hours).ToString("00", c)).Append(Math.Abs(offset.Minutes).ToString("00", c));
                    break;
                case 'Z': text.Append(zone); break;
                case '%': text.Append('%'); break;
                default: text.Append('%').Append(spec); break;
            }
        }
    }

    private static int Hour12(DateTimeOffset t) => t.Hour % 12 == 0 ? 12 : t.Hour % 12;
}

/// <summary>
/// The abbreviation C's <c>%Z</c> prints for the local zone ("UTC", "CET"/"CEST", "NZST"/"NZDT"): .NET knows only long
/// names, so it is read from the POSIX rule at the end of the zone file (<c>TZ</c>, else <c>/etc/localtime</c>).
/// </summary>
internal static class LocalZoneName
{
    private static readonly Lazy<(string Standard, string? Daylight)?> Rule = new(ReadRule);

    /// <summary>The abbreviation for <paramref name="local"/> in the machine's zone.</summary>
    public static string For(DateTimeOffset local)
    {
        if (Rule.Value is { } rule)
        {
            return rule.Daylight is not null && TimeZoneInfo.Local.IsDaylightSavingTime(local) ? rule.Daylight : rule.Standard;
        }

        var offset = local.Offset;
        return offset == TimeSpan.Zero ? "UTC" : (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(offset.Minutes == 0 ? "hh" : "hhmm", CultureInfo.InvariantCulture);
    }

    /// <summary>The abbreviations of a POSIX TZ rule such as <c>CET-1CEST,M3.5.0,M10.5.0/3</c> or <c>&lt;+13&gt;-13</c>.</summary>
    public static (string Standard, string? Daylight)? ParseRule(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var i = 0;
        var standard = Name(rule, ref i);
        if (standard is null)
        {
            return null;
        }

        while (i < rule.Length && (char.IsAsciiDigit(rule[i]) || rule[i] is '+' or '-' or ':'))
        {
            i++;
        }

        return (standard, Name(rule, ref i));
    }

    private static string? Name(string rule, ref int i)
    {
        if (i < rule.Length && rule[i] == '<')
        {
            var end = rule.IndexOf('>', i);
            if (end < 0)
            {
                return null;
            }

            var quoted = rule[(i + 1)..end];
            i = end + 1;
            return quoted;
        }

        var start = i;
        while (i < rule.Length && char.IsAsciiLetter(rule[i]))
        {
            i++;
        }

        return i - start >= 3 ? rule[start..i] : null;
    }

    private static (string, string?)? ReadRule()
    {
        try
        {
            var tz = Environment.GetEnvironmentVariable("TZ");
            string file;
            if (string.IsNullOrEmpty(tz))
            {
                file = "/etc/localtime";
            }
            else
            {
                var name = tz.TrimStart(':');
                if (!tz.StartsWith(':') && ParseRule(tz) is { } direct && !File.Exists(Path.Combine("/usr/share/zoneinfo", name)))
                {
                    return direct;
                }

                file = Path.IsPathRooted(name) ? name : Path.Combine("/usr/share/zoneinfo", name);
            }

            var bytes = File.ReadAllBytes(file);
            if (bytes.Length < 2 || bytes[^1] != (byte)'\n')
            {
                return null;
            }

            var start = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2);
            return start < 0 ? null : ParseRule(Encoding.ASCII.GetString(bytes, start + 1, bytes.Length - start - 2));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
