using System.Text.Json;

namespace Pukeko.Server.Configuration;

/// <summary>
/// One <c>hooks-libraries</c> entry. <paramref name="Library"/> is as written in the file; <paramref name="Parameters"/>
/// is a detached clone (safe to keep after the document is disposed), null when absent.
/// </summary>
internal sealed record HooksLibraryConfig(string Library, JsonElement? Parameters)
{
    /// <summary>
    /// For a library built into Pukeko whose parameters the configuration parser checked (the forensic log): the
    /// parsed parameters, so loading need not parse them again. Null otherwise.
    /// </summary>
    public object? BuiltInOptions { get; init; }

    /// <summary>
    /// <c>pukeko-callout-budget-ms</c>, a Pukeko key beside <c>library</c> and <c>parameters</c> (which belong to the
    /// library): how long one callout of this library may take. A synchronous callout over it is logged and counted
    /// (it cannot be interrupted); an asynchronous one is cancelled and its packet dropped. Null: Kea's behaviour,
    /// no limit on synchronous callouts and the library's own <c>AsyncCalloutTimeout</c> for asynchronous ones.
    /// </summary>
    public TimeSpan? CalloutBudget { get; init; }
}
