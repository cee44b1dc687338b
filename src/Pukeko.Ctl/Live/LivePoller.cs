using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Live;

/// <summary>The latest frame (null until the first good poll) and why the last poll failed, if it did.</summary>
internal sealed record LiveUpdate(LiveFrame? Frame, string? Error, DateTimeOffset? LastSuccess);

/// <summary>
/// Polls a server for <c>statistic-get-all</c>, <c>status-get</c> and (when the configuration may have changed)
/// <c>config-get</c>, and keeps the previous statistics to compute rates. A failed poll is reported, never thrown,
/// so the view keeps its last frame and tries again.
/// </summary>
internal sealed class LivePoller(CtlOptions options, Func<CtlOptions, CancellationToken, Task<string>> send, TimeProvider time)
{
    private StatisticsSnapshot? _previous;
    private ServerLayout? _layout;
    private TimeSpan? _lastReload;
    private LiveFrame? _frame;
    private DateTimeOffset? _lastSuccess;
    private readonly long _start = time.GetTimestamp();

    public string Target => options.Url?.ToString() ?? options.SocketPath ?? "";

    public async Task<LiveUpdate> PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            var statistics = await CommandAsync("statistic-get-all", required: true, cancellationToken).ConfigureAwait(false);
            var snapshot = StatisticsSnapshot.Parse(statistics!, time.GetElapsedTime(_start));
            var statusArguments = await CommandAsync("status-get", required: false, cancellationToken).ConfigureAwait(false);
            var status = statusArguments is null ? null : ServerStatus.Parse(statusArguments);

            // A smaller "reload" than last time means the server took a new configuration (or restarted).
            if (_layout is null || status?.SinceReload is not { } reload || _lastReload is not { } last || reload < last)
            {
                var config = await CommandAsync("config-get", required: false, cancellationToken).ConfigureAwait(false);
                _layout = config is null ? ServerLayout.Empty : ServerLayout.Parse(config);
            }

            _lastReload = status?.SinceReload;
            _frame = LiveFrame.Build(snapshot, _previous, _layout, status);
            _previous = snapshot;
            _lastSuccess = time.GetUtcNow();
            return new LiveUpdate(_frame, null, _lastSuccess);
        }
        catch (Exception ex) when (ex is SocketException or HttpRequestException or IOException or JsonException or InvalidDataException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The server may come back with other counters or another configuration: start over then.
            _previous = null;
            _layout = null;
            var error = ex switch
            {
                OperationCanceledException => $"cannot reach {Target}: timed out",
                InvalidDataException => $"{Target}: {ex.Message}",
                JsonException => $"{Target}: not a JSON answer",
                _ => $"cannot reach {Target}: {ex.Message}",
            };
            return new LiveUpdate(_frame, error, _lastSuccess);
        }
    }

    /// <summary>The answer's arguments; null when an optional command fails (e.g. refused by the server's access rules).</summary>
    private async Task<JsonObject?> CommandAsync(string command, bool required, CancellationToken cancellationToken)
    {
        var text = await send(options with { Command = command, Arguments = null }, cancellationToken).ConfigureAwait(false);
        var node = JsonNode.Parse(text);
        if (node is JsonArray { Count: 1 } list)
        {
            node = list[0];
        }

        var result = node?["result"] is JsonValue value && value.TryGetValue<int>(out var r) ? r : -1;
        if (result == 0 && node?["arguments"] is JsonObject arguments)
        {
            return arguments;
        }

        if (!required)
        {
            return null;
        }

        var reason = node?["text"] is JsonValue message && message.TryGetValue<string>(out var t) ? t : "no arguments in the answer";
        throw new InvalidDataException($"{command}: {reason}");
    }
}
