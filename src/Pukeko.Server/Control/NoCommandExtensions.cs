using System.Text.Json.Nodes;

namespace Pukeko.Server.Control;

/// <summary>The command seam when no hook library is loaded: no extra commands, responses pass unchanged.</summary>
internal sealed class NoCommandExtensions : ICommandExtensions
{
    public static NoCommandExtensions Instance { get; } = new();

    public IReadOnlyCollection<string> CommandNames => [];

    public bool TryGetHandler(string command, out Func<JsonObject, CancellationToken, ValueTask<JsonObject>>? handler)
    {
        handler = null;
        return false;
    }

    public JsonObject CommandProcessed(string name, JsonNode? arguments, JsonObject response) => response;

    public ValueTask<JsonObject> ReloadLibrariesAsync(string? libraryName, CancellationToken ct) =>
        ValueTask.FromResult(ControlAnswer.Create(ControlResult.Success, "Hooks libraries successfully reloaded."));
}
