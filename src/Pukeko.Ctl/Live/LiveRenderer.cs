using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pukeko.Ctl.Live;

/// <summary>Draws a <see cref="LiveUpdate"/> with Spectre.Console: a status line, traffic and drops, the utilisation table.</summary>
internal static class LiveRenderer
{
    /// <summary>Bars get what the terminal has left beside the labels and figures, within these bounds.</summary>
    public const int MinBarWidth = 5;

    public const int MaxBarWidth = 30;

    /// <summary>Columns other than the label and the bar, with their padding.</summary>
    private const int FigureColumnsWidth = 60;

    /// <summary>What leaving out the change column saves on a narrow terminal.</summary>
    private const int ChangeColumnWidth = 12;

    /// <param name="unicode">Block characters for the bars; false for plain text.</param>
    /// <param name="interactive">Whether the keys line ("q to quit") applies.</param>
    /// <param name="width">The terminal's width, to size the bars.</param>
    public static IRenderable Render(LiveUpdate update, string target, TimeSpan interval, bool unicode, bool interactive, int width)
    {
        ArgumentNullException.ThrowIfNull(update);
        var parts = new List<IRenderable> { Header(update, target, interval, interactive) };
        if (update.Error is { } error)
        {
            var since = update.LastSuccess is { } at ? $"; figures below are from {at.ToLocalTime():HH:mm:ss}" : "";
            parts.Add(new Markup($"[red]{Markup.Escape(error)}[/] (retrying every {Seconds(interval)}{since})"));
        }

        if (update.Frame is { } frame)
        {
            // The short summary first: a pool table taller than the terminal is cut at the bottom.
            parts.Add(new Columns(CounterTable("Traffic", frame.Traffic), CounterTable("Drops", frame.Drops)) { Expand = false });
            parts.Add(UsageTable(frame, unicode, expand: interactive, width));
        }
        else if (update.Error is null)
        {
            parts.Add(new Text("waiting for the first answer..."));
        }

        return new Rows(parts);
    }

    /// <summary>Two lines, so that an 80-column terminal does not wrap them: where, then the server's state.</summary>
    private static Markup Header(LiveUpdate update, string target, TimeSpan interval, bool interactive)
    {
        var line = $"[bold]pukeko-ctl top[/]  {Markup.Escape(target)}  every {Seconds(interval)}";
        if (interactive)
        {
            line += "  [grey](q to quit)[/]";
        }

        line += "\n";
        if (update.Frame?.Status is { } status)
        {
            line += status.Disabled ? "[red]DHCP DISABLED[/]" : "[green]serving[/]";
            line += status.Pid is { } pid ? string.Create(CultureInfo.InvariantCulture, $"  pid {pid}") : "";
            line += status.Uptime is { } up ? $"  up {LiveFormat.Duration(up)}" : "";
            line += status.SinceReload is { } reload ? $"  configured {LiveFormat.Duration(reload)} ago" : "";
        }

        return new Markup(line);
    }

    private static Table UsageTable(LiveFrame frame, bool unicode, bool expand, int width)
    {
        // A pool scope with several ranges lists one per line, so labels stay narrow and addresses whole.
        var labels = frame.Usage.Select(r => (r.Depth == 0 ? "" : "  ") + r.Label.Replace(", ", "\n  ", StringComparison.Ordinal)).ToList();
        var labelWidth = labels.SelectMany(l => l.Split('\n')).Select(l => l.Length).DefaultIfEmpty(0).Max();
        var room = width - labelWidth - FigureColumnsWidth;

        // On a narrow terminal the change per second goes first, then the bar shrinks.
        var withChange = room >= MinBarWidth;
        var barWidth = Math.Clamp(withChange ? room : room + ChangeColumnWidth, MinBarWidth, MaxBarWidth);

        var table = new Table { Border = TableBorder.Simple, Expand = expand };
        table.AddColumn(new TableColumn("Subnet / pool").NoWrap());
        table.AddColumn(new TableColumn("Type").NoWrap());
        table.AddColumn(new TableColumn("Assigned").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("Total").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("Used").NoWrap());
        table.AddColumn(new TableColumn("%").RightAligned().NoWrap());
        if (withChange)
        {
            table.AddColumn(new TableColumn("Change/s").RightAligned().NoWrap());
        }

        for (var i = 0; i < frame.Usage.Count; i++)
        {
            var row = frame.Usage[i];
            var label = Markup.Escape(labels[i]);
            List<string> cells =
            [
                row.Depth == 0 ? $"[bold]{label}[/]" : label,
                row.Kind == PoolKind.Address ? "NA" : "PD",
                LiveFormat.Count(row.Assigned),
                LiveFormat.Count(row.Total),
                Bar(row, unicode, barWidth),
                LiveFormat.Percent(row.Fraction),
            ];
            if (withChange)
            {
                cells.Add(LiveFormat.Change(row.ChangePerSecond));
            }

            table.AddRow([.. cells]);
        }

        if (frame.Usage.Count == 0)
        {
            table.AddRow("(no subnets)");
        }

        return table;
    }

    private static string Bar(UsageRow row, bool unicode, int width)
    {
        var filled = LiveFormat.FilledCells(row.Fraction, row.Assigned, width);
        var bar = LiveFormat.Bar(row.Fraction, row.Assigned, width, unicode);
        var colour = row.Fraction switch
        {
            >= 0.9 => "red",
            >= 0.7 => "yellow",
            _ => "green",
        };
        return $"[{colour}]{bar[..filled]}[/][grey]{bar[filled..]}[/]";
    }

    private static Table CounterTable(string title, IReadOnlyList<CounterRate> counters)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn(title);
        table.AddColumn(new TableColumn("Total").RightAligned());
        table.AddColumn(new TableColumn("/s").RightAligned());
        foreach (var counter in counters)
        {
            table.AddRow(Markup.Escape(counter.Label), LiveFormat.Count(counter.Total), LiveFormat.Rate(counter.PerSecond));
        }

        return table;
    }

    private static string Seconds(TimeSpan interval) =>
        interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
