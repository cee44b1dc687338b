namespace Pukeko.Hooks;

/// <summary>
/// A synchronous callout. Returns 0 on success; any other value is logged as
/// <c>HOOKS_CALLOUT_ERROR</c> and otherwise ignored (the next-step status is what steers the server).
/// </summary>
/// <param name="handle">The arguments, status and per-library context of the packet being processed.</param>
public delegate int Callout(CalloutHandle handle);
