using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.Classification;

/// <summary>A parsed class expression with what it refers to: the classes named in <c>member()</c>.</summary>
internal sealed class ClassExpression
{
    private ClassExpression(string text, ExpressionNode root, IReadOnlyList<string> memberOf)
    {
        Text = text;
        Root = root;
        MemberOf = memberOf;
    }

    public string Text { get; }

    public ExpressionNode Root { get; }

    /// <summary>Class names tested with member(), known or unknown (as "KNOWN").</summary>
    public IReadOnlyList<string> MemberOf { get; }

    /// <summary>Parses a <c>test</c> (boolean); throws <see cref="ExpressionSyntaxException"/>.</summary>
    /// <param name="optionCodeByName">Resolves option[name]; by default the names of <paramref name="definitions"/>' dhcp6 space.</param>
    /// <param name="definitions">Option definitions (standard plus option-def): which options carry sub-options, and in which space.</param>
    public static ClassExpression ParseTest(string text, Func<string, ushort?>? optionCodeByName = null, OptionDefinitionSet? definitions = null)
    {
        var root = ExpressionParser.ParseBoolean(text, optionCodeByName, definitions);
        return new ClassExpression(text, root, CollectMembers(root));
    }

    /// <summary>Parses a <c>template-test</c> (string); throws <see cref="ExpressionSyntaxException"/>.</summary>
    public static ClassExpression ParseTemplate(string text, Func<string, ushort?>? optionCodeByName = null, OptionDefinitionSet? definitions = null)
    {
        var root = ExpressionParser.ParseString(text, optionCodeByName, definitions);
        return new ClassExpression(text, root, CollectMembers(root));
    }

    /// <summary>option[name] by Kea's standard dhcp6 option names.</summary>
    public static ushort? StandardOptionCode(string name) =>
        StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, name, out var definition) ? definition.Code : null;

    public bool Matches(Dhcp6Packet packet) => ExpressionEvaluator.EvaluateBoolean(Root, packet);

    public byte[] Evaluate(Dhcp6Packet packet) => ExpressionEvaluator.Evaluate(Root, packet);

    private static List<string> CollectMembers(ExpressionNode root)
    {
        var names = new List<string>();
        var pending = new Stack<ExpressionNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node.Kind == ExpressionNodeKind.Member && !names.Contains(node.Name))
            {
                names.Add(node.Name);
            }

            foreach (var child in node.Children)
            {
                pending.Push(child);
            }
        }

        return names;
    }
}
