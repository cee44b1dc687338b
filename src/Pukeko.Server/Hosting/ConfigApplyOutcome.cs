namespace Pukeko.Server.Hosting;

/// <summary>What applying a configuration through a command did: success, or why not (the running one stays).</summary>
internal sealed record ConfigApplyOutcome(bool Success, string Text)
{
    /// <summary>The configuration was valid but the command's own rule refused it; <see cref="Text"/> says why.</summary>
    public bool Refused { get; init; }
}
