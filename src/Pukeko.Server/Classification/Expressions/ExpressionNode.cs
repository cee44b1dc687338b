using System.Text.RegularExpressions;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// One node of a parsed expression. A single shape for every operator keeps the evaluator one switch:
/// <see cref="Children"/> are operands in order, <see cref="Code"/>/<see cref="SubCode"/> option codes,
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

    public ushort Code { get; init; }

    /// <summary>Sub-option code for <c>option[c].option[s]</c>; 0 when not a sub-option access.</summary>
    public ushort SubCode { get; init; }

    public int Index { get; init; }

    public int Start { get; init; }

    /// <summary>Substring length; null means <c>all</c>.</summary>
    public int? Length { get; init; }

    public byte[] Literal { get; init; } = [];

    /// <summary>Class name for <see cref="ExpressionNodeKind.Member"/>.</summary>
    public string Name { get; init; } = "";

    /// <summary>Compiled pattern for <see cref="ExpressionNodeKind.Match"/> with a literal pattern.</summary>
    public Regex? Pattern { get; init; }

    public bool IsBoolean => Kind <= ExpressionNodeKind.VendorClassExists;
}
