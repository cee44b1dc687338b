namespace Pukeko.Server.Configuration.Parsing;

/// <summary>A problem found before JSON parsing (unreadable file, include loop, unterminated comment).</summary>
internal sealed class ConfigPreprocessException(string location, string message) : Exception(message)
{
    /// <summary>"file:line:column" (or the file name alone) of the problem.</summary>
    public string Location { get; } = location;
}
