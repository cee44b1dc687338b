using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Kea's peer transport over HTTP/1.1: <c>POST</c> of the command to the peer's <c>url</c>, JSON body, Basic
/// authentication when the peer entry has a user, connection kept alive. The answer is Kea's one-element list
/// (a bare map is taken too).
/// </summary>
internal sealed class HttpHaPeerChannel : IHaPeerChannel, IDisposable
{
    private readonly HttpClient _http;

    public HttpHaPeerChannel()
    {
        var handler = new SocketsHttpHandler
        {
            // A restarted partner gets a new connection soon; a dead one must not hold requests.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<JsonObject> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(command);
        using var request = new HttpRequestMessage(HttpMethod.Post, peer.Url)
        {
            Version = new Version(1, 1),
            Content = new StringContent(command.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (peer.BasicAuthUser is { } user)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{peer.BasicAuthPassword}")));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string body;
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HaPeerException($"{peer.Name} ({peer.Url}) answered HTTP {(int)response.StatusCode}: {Shorten(body)}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HaPeerException($"{peer.Name} ({peer.Url}) did not answer within {timeout.TotalSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            throw new HaPeerException($"{peer.Name} ({peer.Url}): {ex.Message}", ex);
        }

        return ParseAnswer(peer, body);
    }

    /// <summary>The answer map of a Kea control answer body.</summary>
    public static JsonObject ParseAnswer(HaPeerConfig peer, string body)
    {
        ArgumentNullException.ThrowIfNull(peer);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new HaPeerException($"{peer.Name} answered with invalid JSON: {ex.Message}", ex);
        }

        return node switch
        {
            JsonArray { Count: > 0 } list when list[0] is JsonObject first => first,
            JsonObject map => map,
            _ => throw new HaPeerException($"{peer.Name} answered with something that is not a Kea answer: {Shorten(body)}"),
        };
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

    public void Dispose() => _http.Dispose();
}
