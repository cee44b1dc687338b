namespace Pukeko.Server.Hooks;

/// <summary>One argument of a hook point: Kea's name, the exact C# type to pass to <c>GetArgument&lt;T&gt;</c>, its direction.</summary>
internal sealed record HookArgument(string Name, Type Type, ArgumentDirection Direction, string Note = "");
