using System.Text.Json;

namespace Pukeko.Server.Configuration;

/// <summary>
/// One <c>hooks-libraries</c> entry. <paramref name="Library"/> is as written in the file; <paramref name="Parameters"/>
/// is a detached clone (safe to keep after the document is disposed), null when absent.
/// </summary>
public sealed record HooksLibraryConfig(string Library, JsonElement? Parameters)
{
    /// <summary>
    /// For a library built into Pukeko whose parameters the configuration parser checked (the forensic log): the
    /// parsed parameters, so loading need not parse them again. Null otherwise.
    /// </summary>
    public object? BuiltInOptions { get; init; }
}
