using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl;

/// <summary>Sends one command over a UNIX socket (Kea's framing: write the map, read until the server closes) or HTTP.</summary>
internal static class CommandClient
{
    public static string BuildRequest(CtlOptions options)
    {
        var request = new JsonObject { ["command"] = options.Command };
        if (options.Url is not null)
        {
            // Kea's HTTP clients name the daemon; the server answers for itself either way.
            request["service"] = new JsonArray("dhcp6");
        }

        if (options.Arguments is not null)
        {
            request["arguments"] = options.Arguments.DeepClone();
        }

        return request.ToJsonString();
    }

    public static async Task<string> SendAsync(CtlOptions options, CancellationToken cancellationToken)
    {
        var request = BuildRequest(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        return options.Url is { } url
            ? await SendHttpAsync(url, request, options, timeout.Token).ConfigureAwait(false)
            : await SendUnixAsync(options.SocketPath!, request, timeout.Token).ConfigureAwait(false);
    }

    private static async Task<string> SendUnixAsync(string path, string request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        var bytes = Encoding.UTF8.GetBytes(request);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        using var answer = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private static async Task<string> SendHttpAsync(Uri url, string request, CtlOptions options, CancellationToken cancellationToken)
    {
        using var handler = new HttpClientHandler();
        if (options.Insecure)
        {
            handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
        }

        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(request, Encoding.UTF8, "application/json") };
        if (options.Credentials is { } credentials)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);

        // 401 and 403 carry a Kea-style JSON body too; print it like any answer.
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
