using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>The peer transport against a raw HTTP/1.1 peer whose kept-alive connections can be made to go silent.</summary>
public sealed class HttpHaPeerChannelTests
{
    [Fact]
    public async Task After_a_request_times_out_the_next_one_uses_a_fresh_connection_not_another_silent_pooled_one()
    {
        await using var peer = await SilenceablePeer.StartAsync();
        var config = new HaPeerConfig { Name = "server2", Url = new Uri($"http://127.0.0.1:{peer.Port}/"), Role = HaRole.Secondary };
        var heartbeat = new JsonObject { ["command"] = "ha-heartbeat", ["service"] = new JsonArray("dhcp6") };
        using var channel = new HttpHaPeerChannel();

        // A burst of concurrent requests leaves several connections in the pool (as lease-update bursts do).
        peer.AnswerDelay = TimeSpan.FromMilliseconds(300);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => channel.SendAsync(config, heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None)));
        Assert.Equal(3, peer.Connections);
        peer.AnswerDelay = TimeSpan.Zero;

        // A split: every existing connection goes silent; connections made from now on are answered.
        peer.SilenceExisting();
        var timedOut = await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(config, heartbeat, TimeSpan.FromMilliseconds(500), CancellationToken.None));
        Assert.Contains("did not answer", timedOut.Message, StringComparison.Ordinal);

        var answer = await channel.SendAsync(config, heartbeat, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.Equal(4, peer.Connections);
    }

    /// <summary>Answers every POST with a Kea success list on kept-alive connections, unless silenced.</summary>
    private sealed class SilenceablePeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _tasks = [];
        private readonly Lock _gate = new();
        private int _connections;
        private int _silencedBelow;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public TimeSpan AnswerDelay { get; set; }

        public static Task<SilenceablePeer> StartAsync()
        {
            var peer = new SilenceablePeer();
            peer._listener.Start();
            var accepting = peer.AcceptAsync();
            lock (peer._gate)
            {
                peer._tasks.Add(accepting);
            }

            return Task.FromResult(peer);
        }

        /// <summary>Connections accepted so far never answer again.</summary>
        public void SilenceExisting() => Volatile.Write(ref _silencedBelow, Connections + 1);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var number = Interlocked.Increment(ref _connections);
                lock (_gate)
                {
                    _tasks.Add(ServeAsync(client, number));
                }
            }
        }

        private async Task ServeAsync(TcpClient client, int number)
        {
            using var _ = client;
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var pending = new StringBuilder();
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    var text = pending.ToString();
                    var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headerEnd < 0)
                    {
                        continue;
                    }

                    var lengthLine = text[..headerEnd].Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (text.Length < headerEnd + 4 + length)
                    {
                        continue;
                    }

                    pending.Remove(0, headerEnd + 4 + length);
                    if (number < Volatile.Read(ref _silencedBelow))
                    {
                        continue;
                    }

                    await Task.Delay(AnswerDelay, _stop.Token);
                    var body = """[{"result": 0, "text": "HA peer status returned.", "arguments": {"state": "load-balancing"}}]""";
                    var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            Task[] tasks;
            lock (_gate)
            {
                tasks = [.. _tasks];
            }

            await Task.WhenAll(tasks);
            _stop.Dispose();
        }
    }
}
