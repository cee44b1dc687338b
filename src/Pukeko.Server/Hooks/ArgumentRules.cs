using Pukeko.Hooks;

namespace Pukeko.Server.Hooks;

/// <summary>
/// What the arguments of a hook point must still look like after each callout, so a callout that nulls or
/// retypes one is caught at once and blamed on its own library (the server reads them only after the whole
/// chain, by which time it could not tell whose callout it was).
/// </summary>
internal static class ArgumentRules
{
    // Per hook point, the arguments the server reads back: (name, declared type, may be null).
    private static readonly (string Name, Type Type, bool Nullable)[][] ReadBack =
    [
        .. HookPoints.All.Select(p => p.Arguments
            .Where(a => a.Direction == ArgumentDirection.InOut)
            .Select(a => (a.Name, a.Type, Nullable(p.Index, a.Name)))
            .ToArray()),
    ];

    /// <summary>
    /// True where an unusable argument drops the packet: the packet path, where Kea's read-back would throw (wrong
    /// type) or use a null (a query, a response, a lease). Elsewhere (reclamation, commands) the server keeps its own
    /// value and goes on; the violation is still logged and counted.
    /// </summary>
    public static bool DropsPacket(int hookIndex) => hookIndex is HookPoints.Buffer6Receive or HookPoints.Pkt6Receive or HookPoints.Subnet6Select
        or HookPoints.Lease6Select or HookPoints.Lease6Renew or HookPoints.Lease6Rebind or HookPoints.Lease6Release or HookPoints.Lease6Decline
        or HookPoints.Pkt6Send or HookPoints.Buffer6Send;

    /// <summary>Why the arguments are unusable after a callout of <paramref name="hookIndex"/>, or null.</summary>
    public static string? Check(int hookIndex, CalloutHandle handle)
    {
        foreach (var (name, type, nullable) in ReadBack[hookIndex])
        {
            if (!handle.TryGetArgumentEntry(name, out var actual, out var value))
            {
                // Deleted: the server keeps the value it passed (reads fall back to it).
                continue;
            }

            if (actual != type)
            {
                return $"argument '{name}' was set as {actual.FullName}, the hook point passes {type.FullName}";
            }

            if (value is null && !nullable)
            {
                return $"argument '{name}' was set to null";
            }
        }

        return handle.ArgumentCheck?.Invoke(handle);
    }

    // The only read-back argument that may legitimately be null: no subnet selected.
    private static bool Nullable(int hookIndex, string name) => hookIndex == HookPoints.Subnet6Select && name == "subnet6";
}
