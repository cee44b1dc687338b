using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pukeko.Hooks;

/// <summary>
/// Given to <see cref="HookLibrary.Load"/>: registers callouts and control commands and reads the
/// library's <c>parameters</c> from the configuration. The server implements it; tests of a
/// hook library may implement it too.
/// </summary>
public abstract class LibraryHandle
{
    /// <summary>Creates a handle for the library at <paramref name="libraryPath"/>.</summary>
    /// <param name="libraryPath">Full path of the library's assembly.</param>
    /// <param name="index">1-based position in <c>hooks-libraries</c>.</param>
    /// <param name="parameters">The entry's <c>parameters</c>, or null.</param>
    /// <param name="loggers">Where the library's log lines go (Kea format in the server).</param>
    protected LibraryHandle(string libraryPath, int index, JsonElement? parameters, ILoggerFactory loggers)
    {
        LibraryPath = libraryPath;
        Index = index;
        Parameters = parameters;
        Loggers = loggers;
    }

    /// <summary>Full path of the library's assembly.</summary>
    public string LibraryPath { get; }

    /// <summary>1-based position in <c>hooks-libraries</c>; callouts run in this order.</summary>
    public int Index { get; }

    /// <summary>The whole <c>parameters</c> element of the library's entry, or null when absent.</summary>
    public JsonElement? Parameters { get; }

    /// <summary>Creates loggers; the server writes their lines in Kea's format (category = logger name).</summary>
    public ILoggerFactory Loggers { get; }

    /// <summary>
    /// How long the server waits for one of this library's <see cref="AsyncCallout"/>s before it
    /// cancels it and drops the packet. Default 10 seconds; set it in <see cref="HookLibrary.Load"/>.
    /// </summary>
    public TimeSpan AsyncCalloutTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One parameter, or null when there are no parameters, they are not a map, or the key is absent (as Kea).</summary>
    /// <param name="name">Key inside <c>parameters</c>.</param>
    /// <returns>The value or null.</returns>
    public JsonElement? GetParameter(string name) =>
        Parameters is { ValueKind: JsonValueKind.Object } map && map.TryGetProperty(name, out var value) ? value : null;

    /// <summary>The keys of <c>parameters</c>; empty when it is not a map.</summary>
    public IReadOnlyList<string> ParameterNames =>
        Parameters is { ValueKind: JsonValueKind.Object } map ? [.. map.EnumerateObject().Select(p => p.Name)] : [];

    /// <summary>Appends a callout to the hook point (after this library's earlier ones).</summary>
    /// <param name="hookName">Hook point name; unknown names throw <see cref="ArgumentException"/>.</param>
    /// <param name="callout">The callout.</param>
    public abstract void RegisterCallout(string hookName, Callout callout);

    /// <summary>Appends an asynchronous callout; only hook points that can park accept one.</summary>
    /// <param name="hookName">Hook point name.</param>
    /// <param name="callout">The callout.</param>
    public abstract void RegisterCallout(string hookName, AsyncCallout callout);

    /// <summary>Removes this library's registrations of <paramref name="callout"/> on the hook point.</summary>
    /// <param name="hookName">Hook point name.</param>
    /// <param name="callout">A delegate passed to RegisterCallout earlier.</param>
    /// <returns>True when something was removed.</returns>
    public abstract bool DeregisterCallout(string hookName, Delegate callout);

    /// <summary>Removes all of this library's callouts on the hook point.</summary>
    /// <param name="hookName">Hook point name.</param>
    /// <returns>True when something was removed.</returns>
    public abstract bool DeregisterAllCallouts(string hookName);

    /// <summary>Registers a control-channel command (e.g. <c>"block-list-add"</c>).</summary>
    /// <param name="command">Command name.</param>
    /// <param name="handler">What answers it.</param>
    public abstract void RegisterCommandHandler(string command, CommandHandler handler);
}
