namespace Pukeko.Server.BuiltIn.Rbac;

/// <summary>
/// One of RBAC's access control lists: a predicate over a command, given its definition (null when RBAC has none
/// for it, so only <c>ALL</c>, <c>not</c> and explicit names can match it, as in Kea).
/// </summary>
internal abstract record AccessList
{
    public abstract bool Matches(string command, CommandDefinition? definition);

    /// <summary><c>ALL</c>.</summary>
    public static readonly AccessList All = new Constant(true);

    /// <summary><c>NONE</c>.</summary>
    public static readonly AccessList None = new Constant(false);

    /// <summary><c>READ</c>, or <c>{ "access": "read" }</c>.</summary>
    public static readonly AccessList Read = new ByAccess(CommandAccess.Read);

    /// <summary><c>WRITE</c>, or <c>{ "access": "write" }</c>.</summary>
    public static readonly AccessList Write = new ByAccess(CommandAccess.Write);

    private sealed record Constant(bool Value) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => Value;
    }

    /// <summary>Commands with this access right.</summary>
    public sealed record ByAccess(CommandAccess Access) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => definition?.Access == Access;
    }

    /// <summary>Commands of this hook library (<c>""</c>: the server's own).</summary>
    public sealed record ByHook(string Hook) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) =>
            definition is not null && string.Equals(definition.Hook, Hook, StringComparison.Ordinal);
    }

    /// <summary>Commands named explicitly.</summary>
    public sealed record ByName(IReadOnlySet<string> Names) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => Names.Contains(command);
    }

    public sealed record Not(AccessList Operand) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => !Operand.Matches(command, definition);
    }

    public sealed record And(IReadOnlyList<AccessList> Operands) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => Operands.All(o => o.Matches(command, definition));
    }

    public sealed record Or(IReadOnlyList<AccessList> Operands) : AccessList
    {
        public override bool Matches(string command, CommandDefinition? definition) => Operands.Any(o => o.Matches(command, definition));
    }
}
