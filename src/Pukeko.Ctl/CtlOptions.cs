using System.Text.Json.Nodes;

namespace Pukeko.Ctl;

/// <summary>What the command line asks for: where to send, how to authenticate, the command and its arguments.</summary>
internal sealed record CtlOptions
{
    public const string DefaultSocket = "/run/kea/kea6-ctrl-socket";

    public string? SocketPath { get; init; }

    public Uri? Url { get; init; }

    /// <summary><c>user:password</c> for HTTP basic authentication.</summary>
    public string? Credentials { get; init; }

    public bool Insecure { get; init; }

    public bool Raw { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public required string Command { get; init; }

    public JsonObject? Arguments { get; init; }

    /// <summary>How often <c>top</c> polls.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>top</c> prints one snapshot and exits.</summary>
    public bool Once { get; init; }
}
