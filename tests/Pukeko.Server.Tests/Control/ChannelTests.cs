using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class ChannelTests
{
    [Fact]
    public async Task Unix_socket_has_keas_modes_and_answers_one_command_split_across_writes()
    {
        await using var server = await ControlTestServer.StartAsync();
        Assert.Equal(UnixCommandListener.SocketMode, ControlAssert.ModeOf(server.SocketPath));
        Assert.Equal(UnixCommandListener.DirectoryMode, ControlAssert.ModeOf(Path.GetDirectoryName(server.SocketPath)!));

        var text = await server.UnixAsync("# hello\n{\"command\": ", "\"version-get\" // comment\n", "}");

        // Kea's spacing: scripts grep for "result": 0.
        Assert.StartsWith("{ \"result\": 0, \"text\": ", text, StringComparison.Ordinal);
        var answer = (JsonObject)JsonNode.Parse(text)!;
        ControlAssert.Result(answer, ControlResult.Success, "9.9.9");
    }

    [Fact]
    public async Task Unix_socket_answers_a_silent_client_with_the_timeout_text()
    {
        using var directory = new TempDirectory();
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        var path = Path.Combine(directory.Path, "run", "s");
        await using var listener = new UnixCommandListener(path, dispatcher, NullLogger.Instance, TimeSpan.FromMilliseconds(300));
        listener.Start();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await socket.SendAsync("{\"command\": "u8.ToArray(), SocketFlags.None);
        var text = await ControlTestServer.ReadAllAsync(socket).WaitAsync(TimeSpan.FromSeconds(5));
        ControlAssert.Result((JsonObject)JsonNode.Parse(text)!, ControlResult.Error, "Connection over control channel timed out");
    }

    [Fact]
    public async Task A_socket_accepted_outside_the_socket_directory_leaves_that_directory_as_it_is()
    {
        // A Kea 2.x configuration may put the socket in /tmp: the server must not restrict /tmp to 0750.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TempDirectory();
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.StickyBit;
        File.SetUnixFileMode(directory.Path, open);
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        var path = Path.Combine(directory.Path, "kea6-ctrl-socket");
        await using (var listener = new UnixCommandListener(path, dispatcher, NullLogger.Instance, secureDirectory: false))
        {
            listener.Start();
            Assert.Equal(open, ControlAssert.ModeOf(directory.Path));
            Assert.Equal(UnixCommandListener.SocketMode, ControlAssert.ModeOf(path));
        }

        await using (var listener = new UnixCommandListener(path, dispatcher, NullLogger.Instance))
        {
            listener.Start();
            Assert.Equal(UnixCommandListener.DirectoryMode, ControlAssert.ModeOf(directory.Path));
        }
    }

    [Fact]
    public async Task Unix_socket_answers_garbage_with_an_error_and_keeps_serving()
    {
        await using var server = await ControlTestServer.StartAsync();
        var bad = (JsonObject)JsonNode.Parse(await server.UnixAsync("hello\n"))!;
        ControlAssert.Result(bad, ControlResult.Error);
        ControlAssert.Result((JsonObject)JsonNode.Parse(await server.UnixAsync("{\"command\": \"version-get\"}"))!, ControlResult.Success);
    }

    [Fact]
    public async Task Config_set_moving_the_unix_socket_answers_on_the_old_one_and_serves_on_the_new_one()
    {
        await using var server = await ControlTestServer.StartAsync();
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["control-sockets"]![0]!["socket-name"] = "ctrl2";
        var request = new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = dhcp6 } }.ToJsonString();

        var answer = (JsonObject)JsonNode.Parse(await server.UnixAsync(request))!;

        ControlAssert.Result(answer, ControlResult.Success);
        Assert.False(File.Exists(server.SocketPath));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(server.Environment.ControlSocketDirectory, "ctrl2")));
        await socket.SendAsync("{\"command\": \"list-commands\"}"u8.ToArray(), SocketFlags.None);
        Assert.Contains("leases-reclaim", await ControlTestServer.ReadAllAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_answers_are_wrapped_in_a_one_element_list()
    {
        await using var server = await ControlTestServer.StartAsync();
        using var http = new HttpClient();
        using var response = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/", new StringContent("""{"command": "version-get", "service": ["dhcp6"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        ControlAssert.Result((JsonObject)Assert.Single(body)!, ControlResult.Success, "9.9.9");
    }

    [Fact]
    public async Task Http_basic_authentication_with_credential_files_refuses_missing_and_wrong_credentials()
    {
        var auth = """, "authentication": {"type": "basic", "realm": "test-realm", "directory": "{ROOT}/creds", "clients": [{"password-file": "hiddens"}, {"user": "bob", "password": "secret"}]}""";
        await using var secured = await ControlTestServer.StartAsync(
            ControlTestServer.DefaultDhcp6(authentication: auth),
            prepare: root => root.Write("creds/hiddens", "superAdmin:difficultPassword\n"));
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{secured.HttpPort}/";

        async Task<(HttpStatusCode, JsonNode?)> Post(string? user)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("""{"command": "version-get"}""") };
            if (user is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }

        var (missing, missingBody) = await Post(null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(401, missingBody!["result"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("superAdmin:wrong")).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("nobody:difficultPassword")).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Post("superAdmin:difficultPassword")).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Post("bob:secret")).Item1);
    }

    [Fact]
    public async Task Metrics_are_served_in_the_prometheus_text_format()
    {
        await using var server = await ControlTestServer.StartAsync();
        server.Solicit();
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{server.HttpPort}/metrics");

        var samples = PrometheusTextParser.Parse(text);

        Assert.Equal(1, samples.Single(s => s.Name == "pukeko_dhcp6_pkt6_received").Value);
        Assert.Equal(1, samples.Single(s => s.Name == "pukeko_dhcp6_pkt6_advertise_sent").Value);
        var poolTotal = samples.Single(s => s.Name == "pukeko_dhcp6_pool_total_nas");
        Assert.Equal(16, poolTotal.Value);
        Assert.Equal(new Dictionary<string, string> { ["subnet_id"] = "1", ["pool_id"] = "0" }, poolTotal.Labels);
        Assert.Equal(16, samples.Single(s => s.Name == "pukeko_dhcp6_subnet_total_nas" && s.Labels["subnet_id"] == "1").Value);
    }
}
