using System.Text.Json.Nodes;

namespace Pukeko.Server.HighAvailability;

/// <summary>Sends one control command to a peer and returns its answer map (the first element of Kea's answer list).</summary>
internal interface IHaPeerChannel
{
    /// <exception cref="HaPeerException">The peer could not be reached or its answer was not a Kea answer.</exception>
    Task<JsonObject> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, CancellationToken cancellationToken);
}
