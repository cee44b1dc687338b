using Pukeko.Protocol.Options;

namespace Pukeko.Server.Ddns;

/// <summary>
/// What the server answers to a client's FQDN and what it stores: the reply's option (null when there is none), the
/// lease host name (full, with trailing dot, or empty) and the DNS directions the server takes on.
/// </summary>
internal readonly record struct FqdnDecision(ClientFqdnOption? Response, string Hostname, bool Forward, bool Reverse);
