using Microsoft.Extensions.Logging;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// One line the engine (or a hook library, through <see cref="LibraryHandle.Loggers"/>) logged while a
/// <see cref="HookTestServer"/> ran: the same Kea message id and text the daemon writes to its log.
/// </summary>
/// <param name="Level">The line's level (every level is recorded, debug and trace included).</param>
/// <param name="Category">The logger's name, such as <c>kea-dhcp6.hooks</c>.</param>
/// <param name="EventName">Kea's message id, such as <c>HOOKS_CALLOUT_EXCEPTION</c>; empty when the line has none.</param>
/// <param name="Message">The formatted text.</param>
/// <param name="Exception">The exception logged with the line (a callout's, for <c>HOOKS_CALLOUT_EXCEPTION</c>).</param>
public sealed record HookTestLogEntry(LogLevel Level, string Category, string EventName, string Message, Exception? Exception)
{
    /// <inheritdoc />
    public override string ToString() => $"{Level} {Category} {EventName} {Message}" + (Exception is null ? string.Empty : $" ({Exception.GetType().Name}: {Exception.Message})");
}
