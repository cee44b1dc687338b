using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// Kea's HTTP client sends <c>Host: 2001:db8:1::2</c> (an IPv6 peer without brackets). Kestrel alone answers that
/// with a bodiless 400, which a Kea 2.2 HA partner reported as "no body found in the response" to every heartbeat.
/// </summary>
public sealed class BareIpv6HostTests
{
    [Fact]
    public async Task Requests_with_keas_bare_ipv6_host_header_are_answered_on_one_kept_alive_connection()
    {
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        dispatcher.Register("ha-heartbeat", (_, _) => ValueTask.FromResult(ControlAnswer.Success("HA peer status returned.", new JsonObject { ["state"] = "waiting" })));
        var config = new ControlSocketConfig { Type = ControlSocketType.Http, Address = "127.0.0.1", Port = 0 };
        await using var listener = new HttpCommandListener(config, dispatcher, null, NullLogger.Instance);
        await listener.StartAsync(CancellationToken.None);

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", listener.BoundPort);
        var stream = client.GetStream();
        const string Command = """{"command":"ha-heartbeat","service":["dhcp6"]}""";
        var request = $"POST / HTTP/1.1\r\nHost: 2001:db8:1::2\r\nContent-Length: {Command.Length}\r\nContent-Type: application/json\r\n\r\n{Command}";

        // Twice on one connection (Kea keeps it alive), the second request split in the middle of its Host line.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var first = await ReadResponseAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", first, StringComparison.Ordinal);
        Assert.Equal("waiting", Body(first)[0]!["arguments"]!["state"]!.GetValue<string>());
        var split = request.IndexOf("db8", StringComparison.Ordinal);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request[..split]));
        await stream.FlushAsync();
        await Task.Delay(50);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request[split..]));
        var second = await ReadResponseAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", second, StringComparison.Ordinal);
        Assert.Equal(0, Body(second)[0]!["result"]!.GetValue<int>());
    }

    [Fact]
    public void Only_a_host_line_with_a_bare_ipv6_address_changes()
    {
        static string Repair(params string[] chunks)
        {
            var atLineStart = false;
            var held = new List<byte>();
            var output = new StringBuilder();
            for (var i = 0; i < chunks.Length; i++)
            {
                var bytes = Encoding.ASCII.GetBytes(chunks[i]).ToList();
                var input = held.Concat(bytes).ToArray();
                held.Clear();
                output.Append(Encoding.ASCII.GetString(BareIpv6HostRepair.Repair(input, ref atLineStart, held, flushAll: i == chunks.Length - 1)));
            }

            return output.ToString();
        }

        Assert.Equal("POST / HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n{}", Repair("POST / HTTP/1.1\r\nhost: 2001:db8::2\r\n\r\n{}"));
        Assert.Equal("POST / HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n{}", Repair("POST / HTTP/1.1\r\nHo", "st: 2001:d", "b8::2\r\n\r\n{}"));
        foreach (var unchanged in new[] { "POST / HTTP/1.1\r\nHost: [2001:db8::2]:8001\r\n\r\n{}", "POST / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n{}", "POST / HTTP/1.1\r\nX-Host: 2001:db8::2\r\n\r\n{\"a\": \"Host: ::1\"}" })
        {
            Assert.Equal(unchanged, Repair(unchanged));
        }
    }

    private static JsonArray Body(string response) => JsonNode.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..])!.AsArray();

    /// <summary>One HTTP response (head and Content-Length body) from the stream.</summary>
    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var current = text.ToString();
            var headEnd = current.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var lengthLine = current[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (current.Length >= headEnd + 4 + length)
                {
                    return current;
                }
            }

            var read = await stream.ReadAsync(buffer, deadline.Token);
            Assert.True(read > 0, "connection closed: " + current);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
