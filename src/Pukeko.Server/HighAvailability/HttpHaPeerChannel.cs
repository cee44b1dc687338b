using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Kea's peer transport over HTTP/1.1: <c>POST</c> of the command to the peer's <c>url</c>, JSON body, Basic
/// authentication when the peer entry has a user, connection kept alive. The answer is Kea's one-element list
/// (a bare map is taken too). An <c>https</c> peer is reached with the peer's TLS keys (Kea's <c>trust-anchor</c>,
/// <c>cert-file</c>, <c>key-file</c>): this server's certificate is presented, and the peer's certificate must chain
/// to the trust anchor (a file or a directory of PEM files); its name is not checked, as peer URLs are IP addresses.
/// </summary>
internal sealed class HttpHaPeerChannel : IHaPeerChannel, IDisposable
{
    private readonly ConcurrentDictionary<(string? Anchor, string? Cert, string? Key), HttpClient> _clients = new();

    private static HttpClient Create(string? anchor, string? cert, string? key)
    {
        var handler = new SocketsHttpHandler
        {
            // A restarted partner gets a new connection soon; a dead one must not hold requests.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
        };
        if (cert is not null && key is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(cert, key);

            // The platform TLS stack needs the key in an exportable form.
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        if (anchor is not null)
        {
            var anchors = new X509Certificate2Collection();
            foreach (var file in Directory.Exists(anchor) ? Directory.EnumerateFiles(anchor) : [anchor])
            {
                anchors.ImportFromPemFile(file);
            }

            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is not X509Certificate2 presented)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(presented);
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static (string? Anchor, string? Cert, string? Key) KeyOf(HaPeerConfig peer) =>
        peer.Url.Scheme == Uri.UriSchemeHttps ? (peer.TrustAnchor, peer.CertFile, peer.KeyFile) : (null, null, null);

    private HttpClient ClientFor(HaPeerConfig peer)
    {
        var key = KeyOf(peer);
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        try
        {
            var created = Create(key.Item1, key.Item2, key.Item3);
            var stored = _clients.GetOrAdd(key, created);
            if (!ReferenceEquals(stored, created))
            {
                created.Dispose();
            }

            return stored;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new HaPeerException($"{peer.Name}: cannot read its TLS keys (trust-anchor, cert-file, key-file): {ex.Message}", ex);
        }
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
        var client = ClientFor(peer);
        try
        {
            using var response = await client.SendAsync(request, deadline.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HaPeerException($"{peer.Name} ({peer.Url}) answered HTTP {(int)response.StatusCode}: {Shorten(body)}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Recycle(KeyOf(peer), client, timeout);
            throw new HaPeerException($"{peer.Name} ({peer.Url}) did not answer within {timeout.TotalSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            throw new HaPeerException($"{peer.Name} ({peer.Url}): {ex.Message}", ex);
        }

        return ParseAnswer(peer, body);
    }

    /// <summary>
    /// A request that got no answer in time leaves its connection, and the other idle ones to the same peer, suspect:
    /// after a network split each would hold the next request for a whole timeout (lease-update bursts leave several
    /// pooled), delaying both failure detection and recovery. The next request starts a fresh pool; the old one is
    /// disposed once whatever still runs on it has timed out.
    /// </summary>
    private void Recycle((string? Anchor, string? Cert, string? Key) key, HttpClient client, TimeSpan timeout)
    {
        if (_clients.TryRemove(KeyValuePair.Create(key, client)))
        {
            _ = Task.Delay(timeout + TimeSpan.FromSeconds(1)).ContinueWith(_ => client.Dispose(), TaskScheduler.Default);
        }
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

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
