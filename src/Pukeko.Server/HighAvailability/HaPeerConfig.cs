namespace Pukeko.Server.HighAvailability;

/// <summary>One entry of <c>peers</c>: a server of the relationship, this one included.</summary>
internal sealed record HaPeerConfig
{
    public required string Name { get; init; }

    /// <summary>Where the peer's control channel answers HA commands (host is an IP literal, as Kea requires).</summary>
    public required Uri Url { get; init; }

    public required HaRole Role { get; init; }

    /// <summary>False: in partner-down this server keeps serving only its own scope.</summary>
    public bool AutoFailover { get; init; } = true;

    /// <summary>Basic authentication sent to this peer; null when none.</summary>
    public string? BasicAuthUser { get; init; }

    public string BasicAuthPassword { get; init; } = "";

    public string? TrustAnchor { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }
}
