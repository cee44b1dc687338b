using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's <c>statistic-*</c> commands with its argument and answer shapes: values are lists of
/// <c>[value, "YYYY-MM-DD HH:MM:SS.ffffff"]</c> samples, newest first.
/// </summary>
internal static class StatisticCommands
{
    public static void Register(CommandDispatcher dispatcher, StatisticsRegistry statistics)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(statistics);
        dispatcher.Register("statistic-get", (command, _) =>
        {
            var name = Name(command);
            var result = new JsonObject();
            if (statistics.Find(name) is { } counter)
            {
                result[name] = Samples(counter);
            }

            return Done(ControlAnswer.Create(ControlResult.Success, arguments: result));
        });
        CommandHandler getAll = (_, _) =>
        {
            var result = new JsonObject();
            foreach (var counter in statistics.All())
            {
                result[counter.Name] = Samples(counter);
            }

            return Done(ControlAnswer.Create(ControlResult.Success, arguments: result));
        };
        dispatcher.Register("statistic-get-all", getAll);
        dispatcher.Register("statistic-global-get-all", (_, _) =>
        {
            var result = new JsonObject();
            foreach (var counter in statistics.All().Where(c => !c.Name.StartsWith("subnet[", StringComparison.Ordinal)))
            {
                result[counter.Name] = Samples(counter);
            }

            return Done(ControlAnswer.Create(ControlResult.Success, arguments: result));
        });
        dispatcher.Register("statistic-reset", (command, _) =>
        {
            var name = Name(command);
            if (statistics.Find(name) is not { } counter)
            {
                return Done(ControlAnswer.Error($"No '{name}' statistic found"));
            }

            counter.Reset();
            return Done(ControlAnswer.Success($"Statistic '{name}' reset."));
        });
        dispatcher.Register("statistic-reset-all", (_, _) =>
        {
            statistics.ResetAll();
            return Done(ControlAnswer.Success("All statistics reset to neutral values."));
        });
        dispatcher.Register("statistic-remove", (command, _) =>
        {
            var name = Name(command);
            return Done(statistics.Remove(name)
                ? ControlAnswer.Success($"Statistic '{name}' removed.")
                : ControlAnswer.Error($"No '{name}' statistic found"));
        });
        dispatcher.Register("statistic-remove-all", (_, _) =>
        {
            statistics.Clear();
            return Done(ControlAnswer.Success("Warning: statistic-remove-all command is deprecated. All statistics removed."));
        });
        dispatcher.Register("statistic-sample-age-set", (command, _) =>
        {
            var name = Name(command);
            var limits = SampleLimits.Age(TimeSpan.FromSeconds(Duration(command)));
            if (statistics.Find(name) is not { } counter)
            {
                return Done(ControlAnswer.Error($"No '{name}' statistic found"));
            }

            counter.SetLimits(limits);
            return Done(ControlAnswer.Success($"Statistic '{name}' duration limit is set."));
        });
        dispatcher.Register("statistic-sample-age-set-all", (command, _) =>
        {
            statistics.SetAllLimits(SampleLimits.Age(TimeSpan.FromSeconds(Duration(command))));
            return Done(ControlAnswer.Success("All statistics duration limit are set."));
        });
        dispatcher.Register("statistic-sample-count-set", (command, _) =>
        {
            var name = Name(command);
            var limits = SampleLimits.Count(MaxSamples(command));
            if (statistics.Find(name) is not { } counter)
            {
                return Done(ControlAnswer.Error($"No '{name}' statistic found"));
            }

            counter.SetLimits(limits);
            return Done(ControlAnswer.Success($"Statistic '{name}' count limit is set."));
        });
        dispatcher.Register("statistic-sample-count-set-all", (command, _) =>
        {
            statistics.SetAllLimits(SampleLimits.Count(MaxSamples(command)));
            return Done(ControlAnswer.Success("All statistics count limit are set."));
        });
    }

    /// <summary>Kea's sample timestamp: local time, microseconds.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static JsonArray Samples(Counter counter)
    {
        var list = new JsonArray();
        foreach (var sample in counter.Samples())
        {
            list.Add(new JsonArray(sample.Value, FormatTimestamp(sample.Timestamp)));
        }

        return list;
    }

    private static string Name(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Missing mandatory 'arguments' parameter.");
        return args.RequireString("name");
    }

    private static long Duration(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Missing mandatory 'arguments' parameter.");
        var duration = args.OptionalInteger("duration") ?? throw new CommandArgumentException("Missing mandatory 'duration' parameter.");
        return duration > 0 ? duration : throw new CommandArgumentException("'duration' parameter must be a positive integer");
    }

    private static int MaxSamples(ControlCommand command)
    {
        var args = command.Arguments ?? throw new CommandArgumentException("Missing mandatory 'arguments' parameter.");
        var max = args.OptionalInteger("max-samples") ?? throw new CommandArgumentException("Missing mandatory 'max-samples' parameter.");
        return max is > 0 and <= int.MaxValue ? (int)max : throw new CommandArgumentException("'max-samples' parameter must be a positive integer");
    }

    private static ValueTask<JsonObject> Done(JsonObject answer) => ValueTask.FromResult(answer);
}
