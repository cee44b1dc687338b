using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Control;

/// <summary>
/// Parses Kea command maps, routes them to hook-registered handlers (which override built-ins, except
/// <c>list-commands</c>) or to built-in ones, and passes every answer through <c>command_processed</c>
/// (digest §1.8, §5.1). Channels (UNIX socket, HTTP) only move bytes; everything a command means is here.
/// </summary>
internal sealed class CommandDispatcher
{
    public const string ListCommands = "list-commands";

    private static readonly HashSet<string> AllowedKeys = new(StringComparer.Ordinal) { "command", "arguments", "service", "remote-address" };

    private readonly Dictionary<string, CommandHandler> _builtIns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<bool>> _availability = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private ICommandExtensions _extensions;

    public CommandDispatcher(ICommandExtensions? extensions, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _extensions = extensions ?? NoCommandExtensions.Instance;
        _log = log;
        Register(ListCommands, (_, _) => ValueTask.FromResult(ControlAnswer.Success(
            "List of commands retrieved successfully.", new JsonArray([.. AllCommands().Select(n => (JsonNode)JsonValue.Create(n))]))));
    }

    /// <summary>The hook seam; replaced when hook libraries are (re)loaded.</summary>
    public ICommandExtensions Extensions
    {
        get => Volatile.Read(ref _extensions);
        set => Volatile.Write(ref _extensions, value ?? NoCommandExtensions.Instance);
    }

    /// <summary>The built-in commands available now (those of a library not configured are left out).</summary>
    public IReadOnlyCollection<string> BuiltInCommands => [.. _builtIns.Keys.Where(IsAvailable)];

    /// <summary>Adds or replaces a built-in command. Not thread-safe: register everything before serving.</summary>
    public void Register(string name, CommandHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        _builtIns[name] = handler;
        _availability.Remove(name);
    }

    /// <summary>
    /// Adds a built-in command that exists only while <paramref name="isAvailable"/> says so, as a Kea command
    /// exists only while the hook library providing it is configured; otherwise it is answered as unknown.
    /// </summary>
    public void Register(string name, CommandHandler handler, Func<bool> isAvailable)
    {
        ArgumentNullException.ThrowIfNull(isAvailable);
        Register(name, handler);
        _availability[name] = isAvailable;
    }

    private bool IsAvailable(string name) => !_availability.TryGetValue(name, out var available) || available();

    /// <summary>Built-ins and hook commands, sorted, each once (Kea's <c>list-commands</c>).</summary>
    public IReadOnlyList<string> AllCommands()
    {
        var names = new SortedSet<string>(_builtIns.Keys.Where(IsAvailable), StringComparer.Ordinal);
        names.UnionWith(Extensions.CommandNames);
        return [.. names];
    }

    /// <summary>Runs one command given as text (UTF-8 JSON, comments allowed). Never throws for bad input.</summary>
    public async ValueTask<JsonObject> ExecuteAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = CommandJson.Parse(utf8.Span);
        }
        catch (JsonException ex)
        {
            return ControlAnswer.Error($"invalid command: {ex.Message}");
        }

        if (node is not JsonObject request)
        {
            return ControlAnswer.Error("invalid command: expected a map");
        }

        return await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one command map. Never throws for bad input.</summary>
    public async ValueTask<JsonObject> ExecuteAsync(JsonObject request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        var name = request["command"]!.GetValue<string>();
        var arguments = request["arguments"] as JsonObject;
        _log.LogInformation(new EventId(0, "COMMAND_RECEIVED"), "Received command '{Command}'", name);
        JsonObject answer;
        try
        {
            answer = await DispatchAsync(name, arguments, request, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandArgumentException ex)
        {
            answer = ControlAnswer.Error(ex.Message);
        }
        catch (CommandResultException ex)
        {
            answer = ControlAnswer.Create(ex.Result, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "COMMAND_PROCESS_ERROR1"), ex, "Error while processing command: {Reason}", ex.Message);
            answer = ControlAnswer.Error($"Error during command processing: {ex.Message}");
        }

        try
        {
            return Extensions.CommandProcessed(name, arguments, answer);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing command_processed callout must not lose the answer; Kea ignores its status too.
            _log.LogError(new EventId(0, "HOOKS_CALLOUT_EXCEPTION"), ex, "callout on hook point command_processed failed: {Reason}", ex.Message);
            return answer;
        }
    }

    private async ValueTask<JsonObject> DispatchAsync(string name, JsonObject? arguments, JsonObject request, CancellationToken cancellationToken)
    {
        var extensions = Extensions;
        if (name != ListCommands && extensions.TryGetHandler(name, out var hooked) && hooked is not null)
        {
            // The hook sees the whole original map, as Kea's "command" callout argument.
            return await hooked((JsonObject)request.DeepClone(), cancellationToken).ConfigureAwait(false);
        }

        if (_builtIns.TryGetValue(name, out var handler) && IsAvailable(name))
        {
            return await handler(new ControlCommand(name, arguments, request), cancellationToken).ConfigureAwait(false);
        }

        return ControlAnswer.Create(ControlResult.Unsupported, $"'{name}' command not supported.");
    }

    private static JsonObject? Validate(JsonObject request)
    {
        foreach (var (key, _) in request)
        {
            if (!AllowedKeys.Contains(key))
            {
                return ControlAnswer.Error($"Error during command processing: invalid command: unsupported parameter '{key}'");
            }
        }

        if (!request.TryGetPropertyValue("command", out var command) || command is null)
        {
            return ControlAnswer.Error("Error during command processing: invalid command: missing mandatory 'command' parameter");
        }

        if (command is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return ControlAnswer.Error("Error during command processing: invalid command: 'command' must be a string");
        }

        if (request.TryGetPropertyValue("arguments", out var arguments) && arguments is not null and not JsonObject)
        {
            return ControlAnswer.Error("Error during command processing: invalid command: 'arguments' must be a map");
        }

        return null;
    }
}
