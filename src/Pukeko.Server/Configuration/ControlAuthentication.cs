namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>authentication</c> of an HTTP control socket (only Kea's <c>basic</c> type). An empty client list means no
/// client is accepted, as in Kea.
/// </summary>
internal sealed record ControlAuthentication(string Realm, IReadOnlyList<ControlClientCredential> Clients)
{
    public const string DefaultRealm = "kea-dhcpv6-server";
}
