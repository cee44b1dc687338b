namespace Pukeko.Ctl;

/// <summary>Parsed options, or the reason the command line is unusable (with help requested as a non-error).</summary>
internal sealed record CtlParseResult(CtlOptions? Options, string? Error, bool HelpRequested = false);
