namespace Pukeko.Server.Configuration;

/// <summary>
/// One entry of <c>control-sockets</c> (or the old single <c>control-socket</c>). For <see cref="ControlSocketType.Unix"/>
/// only <see cref="SocketName"/> matters (an absolute path, normally inside the control socket directory); the HTTP fields are
/// used by <see cref="ControlSocketType.Http"/> and <see cref="ControlSocketType.Https"/>.
/// </summary>
internal sealed record ControlSocketConfig
{
    public const string DefaultAddress = "::1";
    public const int DefaultPort = 8000;

    public ControlSocketType Type { get; init; }

    /// <summary>Absolute socket path (UNIX sockets).</summary>
    public string SocketName { get; init; } = "";

    /// <summary>
    /// False when a UNIX socket was accepted outside the control socket directory (a Kea 2.x <c>control-socket</c>, or
    /// <c>-X</c>). The server then leaves that directory's permissions alone: it may be <c>/tmp</c>.
    /// </summary>
    public bool InSocketDirectory { get; init; } = true;

    public string Address { get; init; } = DefaultAddress;

    public int Port { get; init; } = DefaultPort;

    public string? TrustAnchor { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Whether HTTPS clients must present a certificate signed by the trust anchor (Kea default true).</summary>
    public bool CertRequired { get; init; } = true;

    public ControlAuthentication? Authentication { get; init; }

    public IReadOnlyList<HttpHeaderConfig> HttpHeaders { get; init; } = [];

    /// <summary>
    /// The only commands accepted (others are answered 403, as Kea's listener with a command filter does); null accepts
    /// all. Set only for the dedicated HA listener with <c>restrict-commands</c>.
    /// </summary>
    public IReadOnlySet<string>? AcceptedCommands { get; init; }

    /// <summary>True when the socket serves TLS (type <c>https</c>, or <c>http</c> with certificate files as Kea allows).</summary>
    public bool UsesTls => Type == ControlSocketType.Https || CertFile is not null;

    /// <summary>What identifies the listening endpoint: a change here needs a new listener, anything else is swapped in place.</summary>
    public string EndpointKey => Type == ControlSocketType.Unix
        ? $"unix:{SocketName}"
        : $"http:{Address}:{Port}:{UsesTls}:{TrustAnchor}:{CertFile}:{KeyFile}:{CertRequired}";
}
