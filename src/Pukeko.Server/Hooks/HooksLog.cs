using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Hooks;

/// <summary>
/// Pukeko's own lines about misbehaving callouts (Kea has no callout budget and never checks what callouts leave in
/// the arguments), named in Kea's HOOKS_* style and always naming the library.
/// </summary>
internal static partial class HooksLog
{
    [LoggerMessage(EventName = "HOOKS_CALLOUT_BUDGET_EXCEEDED", Level = LogLevel.Warning, Message = "callout on hook {Hook} of library {Library} took {Elapsed} ms, over its budget of {Budget} ms")]
    public static partial void CalloutBudgetExceeded(ILogger logger, string hook, string library, long elapsed, long budget);

    [LoggerMessage(EventName = "HOOKS_CALLOUT_ARGUMENT_INVALID", Level = LogLevel.Error, Message = "callout on hook {Hook} of library {Library} left an unusable argument: {Reason}")]
    public static partial void CalloutArgumentInvalid(ILogger logger, string hook, string library, string reason);
}
