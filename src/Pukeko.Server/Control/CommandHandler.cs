using System.Text.Json.Nodes;

namespace Pukeko.Server.Control;

/// <summary>A built-in command: returns the answer map; may throw <see cref="CommandArgumentException"/>.</summary>
internal delegate ValueTask<JsonObject> CommandHandler(ControlCommand command, CancellationToken cancellationToken);
