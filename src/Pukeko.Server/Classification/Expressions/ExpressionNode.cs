using System.Text.RegularExpressions;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// One node of a parsed expression. A single shape for every operator keeps the evaluator one switch:
/// <see cref="Children"/> are operands in order, <see cref="Path"/> the option codes of an option chain,
/// <see cref="Index"/> relay nesting level, enterprise number (-1 = any) or chunk index, <see cref="Start"/>
/// and <see cref="Length"/> substring/split numbers, <see cref="Literal"/> the value of a literal.
/// </summary>
internal sealed class ExpressionNode
{
    public ExpressionNode(ExpressionNodeKind kind, int position, params ExpressionNode[] children)
    {
        Kind = kind;
        Position = position;
        Children = children;
    }

    public ExpressionNodeKind Kind { get; }

    /// <summary>Offset of the node's first token in the expression text.</summary>
    public int Position { get; }

    public ExpressionNode[] Children { get; }

    /// <summary>
    /// Option chain <c>option[a].option[b]...</c>: the first code is looked up in the packet (or relay, or vendor
    /// option), each next one among the sub-options of the previous, read by that option's definition.
    /// </summary>
    public ushort[] Path { get; init; } = [];

    /// <summary>Definitions that say which options carry sub-options and in which space (standard plus option-def).</summary>
    public OptionDefinitionSet Definitions { get; init; } = OptionDefinitionSet.StandardOnly;

    public int Index { get; init; }

    /// <summary>Substring start or split field, as written (Kea converts it to an int only when evaluating).</summary>
    public long Start { get; init; }

    /// <summary>Substring length as written; null means <c>all</c>.</summary>
    public long? Length { get; init; }

    public byte[] Literal { get; init; } = [];

    /// <summary>Class name for <see cref="ExpressionNodeKind.Member"/>.</summary>
    public string Name { get; init; } = "";

    /// <summary>Compiled pattern for <see cref="ExpressionNodeKind.Match"/>.</summary>
    public Regex? Pattern { get; init; }

    public bool IsBoolean => Kind <= ExpressionNodeKind.VendorClassExists;
}
