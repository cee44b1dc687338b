using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.Statistics;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// Bytes arriving on the UNIX control socket: <see cref="JsonFeed"/> frames them (in two reads), then
/// <see cref="CommandDispatcher"/> parses and routes the command. Registered are the statistic commands (real) and
/// the lease commands' argument parsing (<see cref="LeaseAddParser"/>, <see cref="LeaseQueryParser"/>) without a
/// lease store behind them, so every input is independent of the ones before it.
/// <para>
/// Normal outcomes are an error answer: framing errors, JSON errors, <see cref="CommandArgumentException"/> and
/// <see cref="CommandResultException"/>, which the dispatcher turns into Kea's result codes. Two things are
/// findings: an exception escaping <see cref="CommandDispatcher.ExecuteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// (the socket handler would drop the connection without an answer), and any other exception reaching the
/// dispatcher's last-resort handler (logged as COMMAND_PROCESS_ERROR1): a hostile argument must be answered with
/// the argument error Kea gives, not with an internal error from halfway through a command.
/// </para>
/// </summary>
internal static class CommandTarget
{
    private static readonly Lazy<DhcpConfig> Config = new(LoadConfig);

    public static void Run(byte[] input)
    {
        var feed = new JsonFeed(maxBytes: 1 << 20);
        var split = input.Length / 2;
        feed.Feed(input.AsSpan(0, split));
        if (!feed.IsComplete && feed.Error is null)
        {
            feed.Feed(input.AsSpan(split));
        }

        if (feed.Error is not null || feed.Message.IsEmpty)
        {
            return;
        }

        var dispatcher = new CommandDispatcher(null, ThrowOnInternalError.Instance);
        StatisticCommands.Register(dispatcher, Statistics());
        dispatcher.Register("lease6-add", (command, _) => Answer(LeaseAddParser.Parse(command.RequireArguments(), Config.Value, 1_700_000_000)));
        dispatcher.Register("lease6-update", (command, _) => Answer(LeaseAddParser.Parse(command.RequireArguments(), Config.Value, 1_700_000_000)));
        dispatcher.Register("lease6-get", (command, _) => Query(command));
        dispatcher.Register("lease6-del", (command, _) => Query(command));

        var answer = dispatcher.ExecuteAsync(feed.Message.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _ = CommandJson.Serialize(answer);
    }

    private static ValueTask<JsonObject> Answer(Pukeko.Server.Leases.Lease6 lease) =>
        ValueTask.FromResult(ControlAnswer.Success("IPv6 lease added.", LeaseJson.ToJson(lease)));

    private static ValueTask<JsonObject> Query(ControlCommand command)
    {
        _ = LeaseQueryParser.Parse(command.Arguments);
        return ValueTask.FromResult(ControlAnswer.Empty("Lease not found."));
    }

    private static StatisticsRegistry Statistics()
    {
        var statistics = new StatisticsRegistry();
        statistics.Add("pkt6-received", 3);
        statistics.Add("subnet[1].assigned-nas", 1);
        return statistics;
    }

    private static DhcpConfig LoadConfig()
    {
        const string Text = """
            { "Dhcp6": { "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ],
                "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64 } ] } ] } }
            """;
        var environment = new ConfigEnvironment(FuzzDirectory.Path("data"), FuzzDirectory.Path("log"), FuzzDirectory.Path("run"), FuzzDirectory.Path("hooks"));
        var result = ConfigLoader.LoadText(Text, FuzzDirectory.Path("etc"), environment);
        return result.Config ?? throw new InvalidOperationException("fuzz harness config rejected: " + string.Join("; ", result.Errors));
    }

    /// <summary>Turns the dispatcher's last-resort error log into an exception that escapes the target.</summary>
    private sealed class ThrowOnInternalError : ILogger
    {
        public static readonly ThrowOnInternalError Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && eventId.Name == "COMMAND_PROCESS_ERROR1")
            {
                throw new InvariantViolationException("command failed with an internal error: " + exception.Message, exception);
            }
        }
    }
}
