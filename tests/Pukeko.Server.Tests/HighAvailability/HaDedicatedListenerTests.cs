using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// Kea's dedicated HA listener (<c>multi-threading</c> with <c>http-dedicated-listener</c>): when it runs, where it
/// listens, the configuration checks, and two real servers paired through their listeners on 127.0.0.1 while their
/// control sockets are elsewhere.
/// </summary>
public sealed class HaDedicatedListenerTests
{
    private const string ListenerPath = "Dhcp6/hooks-libraries[1]/parameters/high-availability[0]/multi-threading/http-dedicated-listener";

    /// <summary>A Dhcp6 body with an HA relationship whose own peer url is <paramref name="ownUrl"/>.</summary>
    private static string Config(string multiThreading, string extra = "", string ownUrl = "http://192.0.2.1:8001/", string dhcpMultiThreading = "", string controlSockets = "") => Dhcp6($$"""
        {{dhcpMultiThreading}} {{controlSockets}}
        "hooks-libraries": [
            { "library": "libdhcp_lease_cmds.so" },
            { "library": "libdhcp_ha.so", "parameters": { "high-availability": [ {
                "this-server-name": "server1", "mode": "hot-standby", {{extra}}
                "multi-threading": {{multiThreading}},
                "peers": [ { "name": "server1", "url": "{{ownUrl}}", "role": "primary", "basic-auth-user": "ha", "basic-auth-password": "s3cret" },
                           { "name": "server2", "url": "http://192.0.2.2:8001/", "role": "standby" } ] } ] } } ]
        """);

    /// <summary>An HTTP control socket at <paramref name="address"/> port <paramref name="port"/> (with authentication, as a non-loopback one needs).</summary>
    private static string ControlSocket(string address, int port) =>
        $$$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{{address}}}", "socket-port": {{{port}}}, "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "pw" } ] } } ], """;

    private const string Dedicated = """{ "enable-multi-threading": true, "http-dedicated-listener": true }""";

    [Fact]
    public void The_listener_takes_this_server_s_own_peer_url_with_its_credentials_and_the_relationship_s_rules()
    {
        var result = Load(Config(Dedicated, "\"restrict-commands\": true, \"require-client-certs\": false,", ownUrl: "http://[2001:db8::1]:8005/"));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var listener = Assert.Single(HaDedicatedListener.For(result.Config!)).Socket;
        Assert.Equal("2001:db8::1", listener.Address);
        Assert.Equal(8005, listener.Port);
        Assert.False(listener.UsesTls);
        Assert.False(listener.CertRequired);
        Assert.Equal(("ha", "s3cret"), (listener.Authentication!.Clients[0].User, listener.Authentication.Clients[0].Password));
        Assert.Contains("lease6-bulk-apply", listener.AcceptedCommands!);
        Assert.Contains("ha-heartbeat", listener.AcceptedCommands!);
        Assert.DoesNotContain("config-set", listener.AcceptedCommands!);
        Assert.Equal(13, listener.AcceptedCommands!.Count);

        // Both keys apply to the listener, so neither is warned about.
        Assert.DoesNotContain(result.Warnings, w => w.Path.EndsWith("/restrict-commands", StringComparison.Ordinal) || w.Path.EndsWith("/require-client-certs", StringComparison.Ordinal));

        // restrict-commands false (Kea 2.2's default): every command.
        Assert.Null(Assert.Single(HaDedicatedListener.For(LoadOk(Config(Dedicated)))).Socket.AcceptedCommands);
    }

    [Fact]
    public void Without_dhcp_multi_threading_or_without_both_switches_there_is_no_listener()
    {
        // Kea 2.2: HA multi-threading needs the server's; HA_CONFIG_DHCP_MT_DISABLED, and peers use the control channel.
        Assert.Empty(HaDedicatedListener.For(LoadOk(Config(Dedicated, dhcpMultiThreading: "\"multi-threading\": { \"enable-multi-threading\": false },"))));
        Assert.Empty(HaDedicatedListener.For(LoadOk(Config("""{ "enable-multi-threading": true, "http-dedicated-listener": false }"""))));
        Assert.Empty(HaDedicatedListener.For(LoadOk(Config("""{ "enable-multi-threading": false, "http-dedicated-listener": true }"""))));

        // Kea 2.2's defaults: all off.
        Assert.Empty(HaDedicatedListener.For(LoadOk(Config("{}"))));
        Assert.Single(HaDedicatedListener.For(LoadOk(Config(Dedicated))));
    }

    [Fact]
    public void The_listener_cannot_share_the_port_of_an_http_control_socket_and_unused_thread_counts_are_warned_about()
    {
        LoadFails(
            Config(Dedicated, controlSockets: ControlSocket("192.0.2.1", 8001)),
            ListenerPath,
            "port of an HTTP control socket");
        LoadFails(
            Config(Dedicated, controlSockets: ControlSocket("::", 8001)),
            ListenerPath,
            "port of an HTTP control socket");

        // Another port, or another address: fine. Without the listener the control socket is where peers are meant to go.
        LoadOk(Config(Dedicated, controlSockets: ControlSocket("192.0.2.1", 8000)));
        LoadOk(Config(Dedicated, controlSockets: ControlSocket("192.0.2.9", 8001)));
        LoadOk(Config("{}", controlSockets: ControlSocket("192.0.2.1", 8001)));

        var result = Load(Config("""{ "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 4, "http-client-threads": 4 }"""));
        AssertWarning(result, "Dhcp6/hooks-libraries[1]/parameters/high-availability[0]/multi-threading/http-listener-threads", "not used");
        AssertWarning(result, "Dhcp6/hooks-libraries[1]/parameters/high-availability[0]/multi-threading/http-client-threads", "not used");
    }

    /// <summary>Each server's control socket is on an ephemeral port; its partner reaches it only at its listener.</summary>
    private static JsonObject PairDhcp6(string self, int port1, int port2, bool restrict = true)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"]![0]!["rapid-commit"] = true;
        dhcp6["hooks-libraries"] = JsonNode.Parse($$"""
            [ { "library": "libdhcp_lease_cmds.so" },
              { "library": "libdhcp_ha.so", "parameters": { "high-availability": [ {
                  "this-server-name": "{{self}}", "mode": "hot-standby", "sync-leases": true, "sync-timeout": 5000,
                  "heartbeat-delay": 100, "max-response-delay": 1000, "max-unacked-clients": 0, "restrict-commands": {{(restrict ? "true" : "false")}},
                  "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true, "http-listener-threads": 0, "http-client-threads": 0 },
                  "peers": [ { "name": "server1", "url": "http://127.0.0.1:{{port1}}/", "role": "primary", "basic-auth-user": "one", "basic-auth-password": "pw1" },
                             { "name": "server2", "url": "http://127.0.0.1:{{port2}}/", "role": "standby", "basic-auth-user": "two", "basic-auth-password": "pw2" } ] } ] } } ]
            """);
        return dhcp6;
    }

    private static async Task<string?> StateAsync(ControlTestServer server) =>
        (await server.CommandAsync("""{"command": "status-get"}"""))["arguments"]?["high-availability"]?[0]?["ha-servers"]?["local"]?["state"]?.GetValue<string>();

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(HttpClient http, int port, string command, string? user = null, string? password = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/")
        {
            Content = new StringContent(command, Encoding.UTF8, "application/json"),
        };
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task A_pair_talks_through_the_dedicated_listeners_which_answer_lists_check_credentials_and_filter_commands()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        await using var standby = await ControlTestServer.StartAsync(PairDhcp6("server2", port1, port2));
        await using var primary = await ControlTestServer.StartAsync(PairDhcp6("server1", port1, port2, restrict: false));
        Assert.Equal(port2, standby.Server.ControlChannels.DedicatedListenerPort);
        Assert.NotEqual(port2, standby.HttpPort);

        // Heartbeats, the sync and the lease updates go listener to listener, each server sending its partner's credentials.
        await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // An answer is Kea's one-element list; "service" is not needed (nor looked at).
        var (status, body) = await PostAsync(http, port2, """{"command": "ha-heartbeat"}""", "two", "pw2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hot-standby", body!.AsArray().Single()!["arguments"]!["state"]!.GetValue<string>());
        (_, body) = await PostAsync(http, port2, """{"command": "ha-heartbeat", "service": ["dhcp4"]}""", "two", "pw2");
        Assert.Equal(0, body![0]!["result"]!.GetValue<int>());

        // The credentials are those of the listener's own peer entry (Kea 3.x): none, or another server's, are refused.
        (status, _) = await PostAsync(http, port2, """{"command": "ha-heartbeat"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        (status, _) = await PostAsync(http, port2, """{"command": "ha-heartbeat"}""", "one", "pw1");
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        // restrict-commands: the HA set only; anything else is 403 with Kea's bare map.
        (status, body) = await PostAsync(http, port2, """{"command": "config-get"}""", "two", "pw2");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("""{"result":403,"text":"Forbidden"}""", body!.ToJsonString());
        (status, body) = await PostAsync(http, port2, """{"command": "lease6-get-all"}""", "two", "pw2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body![0]!["result"]!.GetValue<int>());

        // Without restrict-commands (the primary) every command is served; the control socket is unchanged either way.
        (status, body) = await PostAsync(http, port1, """{"command": "config-get"}""", "one", "pw1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body![0]!["result"]!.GetValue<int>());
        Assert.Equal(0, (await standby.CommandAsync("""{"command": "config-get"}"""))["result"]!.GetValue<int>());

        // Reconfiguring without the listener closes it; the partner then cannot reach this server.
        var plain = PairDhcp6("server2", port1, port2);
        plain["multi-threading"] = JsonNode.Parse("""{ "enable-multi-threading": false }""");
        var set = await standby.CommandAsync(new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = plain } }.ToJsonString());
        Assert.Equal(0, set["result"]!.GetValue<int>());
        Assert.Null(standby.Server.ControlChannels.DedicatedListenerPort);
        // The old listener stops without being awaited (it may carry the request that removed it), so a new
        // connection is refused soon after, not necessarily at once.
        var refused = false;
        for (var attempt = 0; attempt < 100 && !refused; attempt++)
        {
            using var fresh = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                await PostAsync(fresh, port2, """{"command": "ha-heartbeat"}""", "two", "pw2");
                await Task.Delay(100);
            }
            catch (HttpRequestException)
            {
                refused = true;
            }
        }

        Assert.True(refused, "the dedicated listener still answers after a configuration without it");
    }
}
