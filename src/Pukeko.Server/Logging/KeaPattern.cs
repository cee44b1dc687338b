using System.Globalization;
using System.Text;

namespace Pukeko.Server.Logging;

/// <summary>Everything a layout pattern can print about one message.</summary>
internal readonly record struct KeaLogEvent(
    DateTimeOffset UtcTime,
    DateTimeOffset LocalTime,
    KeaSeverity Severity,
    string LoggerName,
    int ProcessId,
    int ThreadId,
    string Message,
    string HostName);

/// <summary>
/// A compiled log4cplus-style layout pattern, the subset Kea users rely on:
/// <c>%D{fmt}</c> local time and <c>%d{fmt}</c> UTC time (strftime-like, plus <c>%q</c> milliseconds
/// and <c>%Q</c> fractional milliseconds; default <c>%Y-%m-%d %H:%M:%S</c>), <c>%p</c> severity,
/// <c>%c</c>/<c>%c{N}</c> logger name (last N components), <c>%i</c> pid, <c>%t</c>/<c>%T</c> thread id,
/// <c>%m</c> message (<c>MSG_ID text</c>), <c>%n</c> newline, <c>%h</c>/<c>%H</c> host name, <c>%%</c>.
/// Each may carry a format modifier <c>%-5p</c>, <c>%10c</c>, <c>%.20m</c> (left-align, minimum width,
/// maximum width keeping the rightmost characters). Any other conversion is printed literally.
/// </summary>
internal sealed class KeaPattern
{
    private enum Kind { Literal, LocalDate, UtcDate, Severity, Logger, Pid, Thread, Message, NewLine, Host }

    private readonly record struct Segment(Kind Kind, string Text, int Min, int Max, bool Left, int Components);

    private readonly Segment[] _segments;

    private KeaPattern(string source, Segment[] segments)
    {
        Source = source;
        _segments = segments;
    }

    /// <summary>The pattern text this was compiled from.</summary>
    public string Source { get; }

    /// <summary>Kea's default file/console pattern.</summary>
    public static KeaPattern Default { get; } = Parse(KeaOutputSpec.DefaultPattern);

    public static KeaPattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < pattern.Length)
        {
            char ch = pattern[i];
            if (ch != '%')
            {
                literal.Append(ch);
                i++;
                continue;
            }
            int start = i;
            i++;
            if (i >= pattern.Length)
            {
                literal.Append('%');
                break;
            }
            if (pattern[i] == '%')
            {
                literal.Append('%');
                i++;
                continue;
            }
            bool left = false;
            int min = 0, max = int.MaxValue;
            if (pattern[i] == '-')
            {
                left = true;
                i++;
            }
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
            {
                min = Math.Min(10_000, (min * 10) + (pattern[i] - '0'));
                i++;
            }
            if (i < pattern.Length && pattern[i] == '.')
            {
                i++;
                int m = 0;
                bool any = false;
                while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
                {
                    m = Math.Min(10_000, (m * 10) + (pattern[i] - '0'));
                    any = true;
                    i++;
                }
                if (any)
                {
                    max = m;
                }
            }
            if (i >= pattern.Length)
            {
                literal.Append(pattern, start, i - start);
                break;
            }
            char conv = pattern[i];
            i++;
            string? option = null;
            if (i < pattern.Length && pattern[i] == '{')
            {
                int close = pattern.IndexOf('}', i + 1);
                if (close > 0)
                {
                    option = pattern.Substring(i + 1, close - i - 1);
                    i = close + 1;
                }
            }
            Kind? kind = conv switch
            {
                'D' => Kind.LocalDate,
                'd' => Kind.UtcDate,
                'p' => Kind.Severity,
                'c' => Kind.Logger,
                'i' => Kind.Pid,
                't' or 'T' => Kind.Thread,
                'm' => Kind.Message,
                'n' => Kind.NewLine,
                'h' or 'H' => Kind.Host,
                _ => null,
            };
            if (kind is null)
            {
                // Unsupported conversion: keep it verbatim, braces included.
                literal.Append(pattern, start, i - start);
                continue;
            }
            if (literal.Length > 0)
            {
                segments.Add(new Segment(Kind.Literal, literal.ToString(), 0, int.MaxValue, false, 0));
                literal.Clear();
            }
            int components = 0;
            string text = string.Empty;
            if (kind is Kind.LocalDate or Kind.UtcDate)
            {
                text = string.IsNullOrEmpty(option) ? "%Y-%m-%d %H:%M:%S" : option;
            }
            else if (kind == Kind.Logger && option is not null
                && int.TryParse(option, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            {
                components = n;
            }
            segments.Add(new Segment(kind.Value, text, min, max, left, components));
        }
        if (literal.Length > 0)
        {
            segments.Add(new Segment(Kind.Literal, literal.ToString(), 0, int.MaxValue, false, 0));
        }
        return new KeaPattern(pattern, segments.ToArray());
    }

    public string Format(in KeaLogEvent e)
    {
        var sb = new StringBuilder(64 + e.Message.Length);
        Format(e, sb);
        return sb.ToString();
    }

    public void Format(in KeaLogEvent e, StringBuilder sb)
    {
        foreach (ref readonly Segment s in _segments.AsSpan())
        {
            if (s.Kind == Kind.Literal)
            {
                sb.Append(s.Text);
                continue;
            }
            int begin = sb.Length;
            switch (s.Kind)
            {
                case Kind.LocalDate: AppendDate(sb, e.LocalTime, s.Text); break;
                case Kind.UtcDate: AppendDate(sb, e.UtcTime, s.Text); break;
                case Kind.Severity: sb.Append(e.Severity.ToKeaName()); break;
                case Kind.Logger: AppendLogger(sb, e.LoggerName, s.Components); break;
                case Kind.Pid: sb.Append(e.ProcessId); break;
                case Kind.Thread: sb.Append(e.ThreadId); break;
                case Kind.Message: sb.Append(e.Message); break;
                case Kind.NewLine: sb.Append('\n'); break;
                case Kind.Host: sb.Append(e.HostName); break;
            }
            int written = sb.Length - begin;
            if (written > s.Max)
            {
                sb.Remove(begin, written - s.Max);
            }
            else if (written < s.Min)
            {
                if (s.Left)
                {
                    sb.Append(' ', s.Min - written);
                }
                else
                {
                    sb.Insert(begin, " ", s.Min - written);
                }
            }
        }
    }

    private static void AppendLogger(StringBuilder sb, string name, int components)
    {
        if (components <= 0)
        {
            sb.Append(name);
            return;
        }
        int idx = name.Length;
        for (int k = 0; k < components && idx > 0; k++)
        {
            idx = name.LastIndexOf('.', idx - 1);
            if (idx < 0)
            {
                sb.Append(name);
                return;
            }
        }
        sb.Append(name, idx + 1, name.Length - idx - 1);
    }

    private static readonly string[] s_days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] s_daysLong = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] s_monthsLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static void AppendDate(StringBuilder sb, DateTimeOffset t, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < format.Length; i++)
        {
            char ch = format[i];
            if (ch != '%' || i + 1 >= format.Length)
            {
                sb.Append(ch);
                continue;
            }
            char f = format[++i];
            switch (f)
            {
                case 'Y': sb.Append(t.Year.ToString("D4", inv)); break;
                case 'y': sb.Append((t.Year % 100).ToString("D2", inv)); break;
                case 'm': sb.Append(t.Month.ToString("D2", inv)); break;
                case 'd': sb.Append(t.Day.ToString("D2", inv)); break;
                case 'e': sb.Append(t.Day.ToString(inv).PadLeft(2)); break;
                case 'H': sb.Append(t.Hour.ToString("D2", inv)); break;
                case 'I': sb.Append(((t.Hour + 11) % 12 + 1).ToString("D2", inv)); break;
                case 'M': sb.Append(t.Minute.ToString("D2", inv)); break;
                case 'S': sb.Append(t.Second.ToString("D2", inv)); break;
                case 'q': sb.Append(t.Millisecond.ToString("D3", inv)); break;
                case 'Q':
                    sb.Append(t.Millisecond.ToString("D3", inv)).Append('.')
                      .Append(t.Microsecond.ToString("D3", inv));
                    break;
                case 'j': sb.Append(t.DayOfYear.ToString("D3", inv)); break;
                case 'a': sb.Append(s_days[(int)t.DayOfWeek]); break;
                case 'A': sb.Append(s_daysLong[(int)t.DayOfWeek]); break;
                case 'b':
                case 'h': sb.Append(s_months[t.Month - 1]); break;
                case 'B': sb.Append(s_monthsLong[t.Month - 1]); break;
                case 'p': sb.Append(t.Hour < 12 ? "AM" : "PM"); break;
                case 'F': AppendDate(sb, t, "%Y-%m-%d"); break;
                case 'T': AppendDate(sb, t, "%H:%M:%S"); break;
                case 's': sb.Append(t.ToUnixTimeSeconds().ToString(inv)); break;
                case 'z':
                    {
                        TimeSpan off = t.Offset;
                        sb.Append(off < TimeSpan.Zero ? '-' : '+')
                          .Append(Math.Abs(off.Hours).ToString("D2", inv))
                          .Append(Math.Abs(off.Minutes).ToString("D2", inv));
                        break;
                    }
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(f); break;
            }
        }
    }
}
