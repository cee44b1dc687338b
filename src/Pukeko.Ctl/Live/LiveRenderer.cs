using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pukeko.Ctl.Live;

/// <summary>Draws a <see cref="LiveUpdate"/> with Spectre.Console: a status line, traffic and drops, the utilisation table.</summary>
internal static class LiveRenderer
{
    public const int BarWidth = 20;

    /// <param name="unicode">Block characters for the bars; false for plain text.</param>
    /// <param name="interactive">Whether the keys line ("q to quit") applies.</param>
    public static IRenderable Render(LiveUpdate update, string target, TimeSpan interval, bool unicode, bool interactive)
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
            parts.Add(UsageTable(frame, unicode, expand: interactive));
        }
        else if (update.Error is null)
        {
            parts.Add(new Text("waiting for the first answer..."));
        }

        return new Rows(parts);
    }

    private static Markup Header(LiveUpdate update, string target, TimeSpan interval, bool interactive)
    {
        var line = $"[bold]pukeko-ctl top[/]  {Markup.Escape(target)}";
        if (update.Frame?.Status is { } status)
        {
            line += status.Pid is { } pid ? string.Create(CultureInfo.InvariantCulture, $"  pid {pid}") : "";
            line += status.Uptime is { } up ? $"  up {LiveFormat.Duration(up)}" : "";
            line += status.SinceReload is { } reload ? $"  config {LiveFormat.Duration(reload)} old" : "";
            line += status.Disabled ? "  [red]DHCP DISABLED[/]" : "  [green]serving[/]";
        }

        line += $"  every {Seconds(interval)}";
        if (interactive)
        {
            line += "  [grey](q to quit)[/]";
        }

        return new Markup(line);
    }

    private static Table UsageTable(LiveFrame frame, bool unicode, bool expand)
    {
        var table = new Table { Border = TableBorder.Simple, Expand = expand };
        table.AddColumn("Subnet / pool");
        table.AddColumn("Type");
        table.AddColumn(new TableColumn("Assigned").RightAligned());
        table.AddColumn(new TableColumn("Total").RightAligned());
        table.AddColumn(new TableColumn("Used").NoWrap());
        table.AddColumn(new TableColumn("%").RightAligned());
        table.AddColumn(new TableColumn("Change/s").RightAligned());
        foreach (var row in frame.Usage)
        {
            var label = Markup.Escape(row.Label);
            table.AddRow(
                row.Depth == 0 ? $"[bold]{label}[/]" : "  " + label,
                row.Kind == PoolKind.Address ? "NA" : "PD",
                LiveFormat.Count(row.Assigned),
                LiveFormat.Count(row.Total),
                Bar(row, unicode),
                LiveFormat.Percent(row.Fraction),
                LiveFormat.Change(row.ChangePerSecond));
        }

        if (frame.Usage.Count == 0)
        {
            table.AddRow("(no subnets)", "", "", "", "", "", "");
        }

        return table;
    }

    private static string Bar(UsageRow row, bool unicode)
    {
        var filled = LiveFormat.FilledCells(row.Fraction, row.Assigned, BarWidth);
        var bar = LiveFormat.Bar(row.Fraction, row.Assigned, BarWidth, unicode);
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
