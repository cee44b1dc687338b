using System.Text.Json.Nodes;
using Pukeko.Server.Control;

namespace Pukeko.Server.Tests.Control;

/// <summary>A stand-in for the hooks layer: one registered command, a recording command_processed, libreload.</summary>
internal sealed class FakeCommandExtensions : ICommandExtensions
{
    public Dictionary<string, Func<JsonObject, CancellationToken, ValueTask<JsonObject>>> Handlers { get; } = new(StringComparer.Ordinal);

    public List<(string Name, JsonNode? Arguments, JsonObject Response)> Processed { get; } = [];

    public Func<JsonObject, JsonObject>? Replace { get; set; }

    public List<string?> Reloaded { get; } = [];

    public IReadOnlyCollection<string> CommandNames => Handlers.Keys;

    public bool TryGetHandler(string command, out Func<JsonObject, CancellationToken, ValueTask<JsonObject>>? handler) =>
        Handlers.TryGetValue(command, out handler);

    public JsonObject CommandProcessed(string name, JsonNode? arguments, JsonObject response)
    {
        Processed.Add((name, arguments, response));
        return Replace?.Invoke(response) ?? response;
    }

    public ValueTask<JsonObject> ReloadLibrariesAsync(string? libraryName, CancellationToken ct)
    {
        Reloaded.Add(libraryName);
        return ValueTask.FromResult(ControlAnswer.Success("Hooks libraries successfully reloaded."));
    }
}
