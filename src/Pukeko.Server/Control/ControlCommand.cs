using System.Text.Json.Nodes;

namespace Pukeko.Server.Control;

/// <summary>A parsed request: the command name, its <c>arguments</c> map (or null) and the whole request map.</summary>
internal sealed record ControlCommand(string Name, JsonObject? Arguments, JsonObject Request)
{
    /// <summary>The arguments map, or an error naming the command when it has none.</summary>
    public JsonObject RequireArguments() =>
        Arguments ?? throw new CommandArgumentException("no parameters specified for the command");
}
