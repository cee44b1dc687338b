using Pukeko.Hooks;

namespace Pukeko.Server.Hooks;

/// <summary>
/// One hook point as the server implements it: its arguments, the statuses it honours and what
/// each means, and whether it can park. <see cref="HookPoints"/> is the table docs/hooks.md is
/// generated from.
/// </summary>
internal sealed record HookPoint(
    int Index,
    string Name,
    string When,
    IReadOnlyList<HookArgument> Arguments,
    IReadOnlyList<KeyValuePair<NextStep, string>> Statuses,
    bool CanPark)
{
    /// <summary>True when the server acts on <paramref name="status"/> here (others are treated as CONTINUE).</summary>
    public bool Supports(NextStep status) => status == NextStep.Continue || Statuses.Any(s => s.Key == status);
}
