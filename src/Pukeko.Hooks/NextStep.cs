namespace Pukeko.Hooks;

/// <summary>
/// What the server does after the callouts of a hook point return. The numeric values are
/// Kea's (<c>CalloutHandle::CalloutNextStep</c>) so statuses read the same in both servers'
/// documentation. A hook point ignores a status it does not list (treated as <see cref="Continue"/>).
/// </summary>
public enum NextStep
{
    /// <summary>Carry on normally.</summary>
    Continue = 0,

    /// <summary>Skip the server's next step; what that means depends on the hook point.</summary>
    Skip = 1,

    /// <summary>Drop the packet (or response) being processed.</summary>
    Drop = 2,

    /// <summary>Park the packet until a callout unparks it (only where the hook point says so).</summary>
    Park = 3,
}
