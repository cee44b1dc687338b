namespace Pukeko.Server.Control;
internal interface ICommandExtensions {
    IReadOnlyCollection<string> CommandNames { get; }   // commands registered by hook libraries (they override built-ins, except list-commands)
    bool TryGetHandler(string command, out Func<System.Text.Json.Nodes.JsonObject /*whole command map*/, CancellationToken, ValueTask<System.Text.Json.Nodes.JsonObject /*response map*/>>? handler);
    System.Text.Json.Nodes.JsonObject CommandProcessed(string name, System.Text.Json.Nodes.JsonNode? arguments, System.Text.Json.Nodes.JsonObject response); // command_processed hook point; returns the possibly replaced response
    ValueTask<System.Text.Json.Nodes.JsonObject> ReloadLibrariesAsync(string? libraryName, CancellationToken ct); // libreload
}
