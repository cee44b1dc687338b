namespace Pukeko.Server.BuiltIn.Rbac;

/// <summary>
/// A role's rule (Kea's accept/reject algorithm): the list named by <see cref="RejectFirst"/> is looked at first, the
/// first list that matches decides, and a command neither list matches gets <see cref="AcceptOthers"/>.
/// </summary>
/// <param name="Accept"><c>accept-commands</c>; null when absent (matches nothing).</param>
/// <param name="Reject"><c>reject-commands</c>; null when absent.</param>
/// <param name="AcceptOthers"><c>other-commands</c> is <c>accept</c> (default: reject).</param>
/// <param name="RejectFirst"><c>list-match-first</c> is <c>reject</c> (default: accept).</param>
/// <param name="FilterListCommands"><c>response-filters</c> holds <c>list-commands</c>.</param>
internal sealed record RbacRole(AccessList? Accept, AccessList? Reject, bool AcceptOthers, bool RejectFirst, bool FilterListCommands)
{
    /// <summary>What <c>default-role</c> and <c>unknown-role</c> are when not configured: every command refused.</summary>
    public static readonly RbacRole RejectAll = new(null, null, AcceptOthers: false, RejectFirst: false, FilterListCommands: false);

    public bool Accepts(string command, CommandDefinition? definition)
    {
        if (RejectFirst)
        {
            if (Reject?.Matches(command, definition) == true)
            {
                return false;
            }

            if (Accept?.Matches(command, definition) == true)
            {
                return true;
            }
        }
        else
        {
            if (Accept?.Matches(command, definition) == true)
            {
                return true;
            }

            if (Reject?.Matches(command, definition) == true)
            {
                return false;
            }
        }

        return AcceptOthers;
    }
}
