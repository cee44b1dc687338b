namespace Pukeko.Server.Control;

/// <summary>Kea's command result codes (digest §5.1).</summary>
internal static class ControlResult
{
    public const int Success = 0;
    public const int Error = 1;
    public const int Unsupported = 2;

    /// <summary>Nothing found or nothing affected.</summary>
    public const int Empty = 3;

    public const int Conflict = 4;

    /// <summary>The configuration was partially applied and could not be rolled back.</summary>
    public const int FatalError = 5;
}
