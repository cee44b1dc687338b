using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>What <see cref="ScriptedHaPeer"/> writes back for one request: status, content type and body as given.</summary>
internal sealed record ScriptedAnswer(int Status, string Body, string ContentType = "application/json")
{
    /// <summary>Kea's one-element answer list.</summary>
    public static ScriptedAnswer Kea(int result, string text, JsonObject? arguments = null)
    {
        var answer = new JsonObject { ["result"] = result, ["text"] = text };
        if (arguments is not null)
        {
            answer["arguments"] = arguments;
        }

        return new ScriptedAnswer(200, new JsonArray(answer).ToJsonString());
    }

    /// <summary>A heartbeat answer in Kea 2.2's form, with the date of <paramref name="now"/>.</summary>
    public static ScriptedAnswer Heartbeat(string state, DateTimeOffset now) => Kea(0, "HA peer status returned.", new JsonObject
    {
        ["state"] = state,
        ["date-time"] = now.ToString("r", System.Globalization.CultureInfo.InvariantCulture),
        ["scopes"] = new JsonArray(),
        ["unsent-update-count"] = 0,
    });
}

/// <summary>
/// An HA partner on 127.0.0.1 that answers each HTTP/1.1 <c>POST</c> with whatever the test's script returns for
/// the command (an answer can be held back as long as the test likes: a slow partner), so a server meets a partner
/// that errs, stalls or talks nonsense. Connections are kept alive as Kea's client expects. The script runs for each
/// request; a request whose client gave up is answered into the void.
/// </summary>
internal sealed class ScriptedHaPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private readonly Lock _gate = new();
    private readonly List<string> _received = [];

    private int _connectionCount;

    public ScriptedHaPeer(Func<JsonObject, Task<ScriptedAnswer>> script)
        : this((command, _) => script(command))
    {
    }

    /// <summary>A peer whose script also gets the number of the connection the request came on (1, 2, ... in accept order).</summary>
    public ScriptedHaPeer(Func<JsonObject, int, Task<ScriptedAnswer>> script)
    {
        Script = script;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Answers each command (with the number of its connection); may be replaced while the peer runs.</summary>
    public Func<JsonObject, int, Task<ScriptedAnswer>> Script { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public Uri Url { get; }

    /// <summary>The names of the commands received so far, in order.</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var number = Interlocked.Increment(ref _connectionCount);
                lock (_gate)
                {
                    _connections.Add(ServeAsync(client, number));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client, int number)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
            while (!_stop.IsCancellationRequested)
            {
                // Request line, headers, then Content-Length bytes of body (ASCII JSON from the HA client).
                if (await reader.ReadLineAsync(_stop.Token) is not { Length: > 0 })
                {
                    return;
                }

                var length = 0;
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } header)
                {
                    if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                var body = new char[length];
                var read = 0;
                while (read < length)
                {
                    var n = await reader.ReadAsync(body.AsMemory(read), _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                var command = JsonNode.Parse(new string(body))!.AsObject();
                lock (_gate)
                {
                    _received.Add(command["command"]!.GetValue<string>());
                }

                var answer = await Script(command, number).WaitAsync(_stop.Token);
                var payload = Encoding.UTF8.GetBytes(answer.Body);
                var head = $"HTTP/1.1 {answer.Status} Scripted\r\nContent-Type: {answer.ContentType}\r\nContent-Length: {payload.Length}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(payload, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client gave up (a timeout) or the test ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
