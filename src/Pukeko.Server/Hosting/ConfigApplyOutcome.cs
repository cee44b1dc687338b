namespace Pukeko.Server.Hosting;

/// <summary>What applying a configuration through a command did: success, or why not (the running one stays).</summary>
public sealed record ConfigApplyOutcome(bool Success, string Text);
