using Pukeko.Hooks;

namespace Pukeko.Server.Hooks;

/// <summary>A callout as a library registered it (before timing counters are attached).</summary>
internal sealed record HookRegistration(int HookIndex, Delegate Original, Callout? Sync, AsyncCallout? Async);
