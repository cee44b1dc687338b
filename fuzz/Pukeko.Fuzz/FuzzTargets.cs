using Pukeko.Fuzz.Targets;

namespace Pukeko.Fuzz;

/// <summary>
/// The targets by name (the name is also the corpus folder, <c>fuzz/corpus/&lt;name&gt;</c>). Each takes one input and
/// returns normally for anything the server would answer or reject; an exception escaping it is a finding.
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new SortedDictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["packet"] = PacketTarget.Run,
        ["config"] = ConfigTarget.Run,
        ["command"] = CommandTarget.Run,
        ["class"] = ClassExpressionTarget.Run,
        ["leasefile"] = LeaseFileTarget.Run,
    };
}
