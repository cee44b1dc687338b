using System.Text.Json.Nodes;

namespace Pukeko.Hooks;

/// <summary>
/// Handles one control-channel command registered by a hook library (Kea's
/// <c>registerCommandCallout</c>). Receives the whole command map
/// (<c>{"command": "...", "arguments": {...}}</c>) and returns the response map
/// (<c>{"result": 0, "text": "...", "arguments": {...}}</c>). A hook command overrides a
/// built-in command of the same name, except <c>list-commands</c>.
/// </summary>
/// <param name="command">The command as received.</param>
/// <param name="cancellationToken">Cancelled when the server shuts down.</param>
public delegate ValueTask<JsonObject> CommandHandler(JsonObject command, CancellationToken cancellationToken);
