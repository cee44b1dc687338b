using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pukeko.Server.BuiltIn.Rbac;
using Pukeko.Server.Tests.Control;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>Kea's role-based access control library (<c>libdhcp_rbac.so</c>), built in: its parameters, its accept/reject rule, and a server's HTTP control socket applying it.</summary>
public sealed class RbacTests
{
    private static string Hooks(string parameters) => Dhcp6($$"""
        "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_rbac.so", "parameters": {{parameters}} } ]
        """);

    private static RbacOptions Options(string parameters)
    {
        var config = LoadOk(Hooks(parameters));
        return Assert.IsType<RbacOptions>(Assert.Single(config.HooksLibraries).BuiltInOptions);
    }

    private const string Roles = """
        { "assign-role-method": "basic-authentication", "api-files": "/nonexistent/kea/api",
          "commands": [ { "name": "my-command", "access": "read", "hook": "my-hook" } ],
          "access-control-lists": [ { "no-config-get": { "and": [ "READ", { "not": { "commands": [ "config-get" ] } } ] } } ],
          "roles": [
            { "name": "reader", "accept-commands": "no-config-get", "reject-commands": "ALL", "response-filters": [ "list-commands" ] },
            { "name": "leases", "accept-commands": { "hook": "lease_cmds" }, "other-commands": "reject" },
            { "name": "admin", "accept-commands": "ALL", "reject-commands": { "or": [ { "hook": "cb_cmds" }, { "commands": [ "shutdown" ] } ] }, "list-match-first": "reject" },
            { "name": "mine", "accept-commands": { "hook": "my-hook" } } ],
          "unknown-role": { "accept-commands": { "access": "read" }, "reject-commands": "WRITE" } }
        """;

    [Theory]
    [InlineData("reader", "status-get", true)]
    [InlineData("reader", "config-get", false)]
    [InlineData("reader", "config-write", false)]
    [InlineData("reader", "no-such-command", false)]
    [InlineData("leases", "lease6-get", true)]
    [InlineData("leases", "lease6-del", true)]
    [InlineData("leases", "status-get", false)]
    [InlineData("admin", "config-write", true)]
    [InlineData("admin", "shutdown", false)]
    [InlineData("admin", "remote-subnet6-set", false)]
    [InlineData("admin", "no-such-command", true)]
    [InlineData("mine", "my-command", true)]
    [InlineData("somebody", "version-get", true)]
    [InlineData("somebody", "dhcp-disable", false)]
    [InlineData("", "version-get", false)]
    public void Roles_decide_as_keas_algorithm_does(string role, string command, bool accepted)
    {
        var rbac = Options(Roles);
        Assert.Equal(RoleAssignment.BasicAuthentication, rbac.Method);
        Assert.False(rbac.RequireTls);
        Assert.Equal(accepted, rbac.Accepts(rbac.RoleFor(role), command));
    }

    [Fact]
    public void Certificate_methods_require_tls_unless_told_otherwise()
    {
        Assert.True(Options("""{ "assign-role-method": "cert-subject", "api-files": "/x" }""").RequireTls);
        Assert.False(Options("""{ "assign-role-method": "cert-issuer", "api-files": "/x", "require-tls": false }""").RequireTls);
        Assert.True(Options("""{ "assign-role-method": "remote-address", "api-files": "/x", "require-tls": true }""").RequireTls);
    }

    [Fact]
    public void Api_files_in_an_existing_directory_are_the_only_definitions_as_in_kea()
    {
        using var dir = new Support.TempDirectory();
        dir.Write("api/status-get.json", """{ "name": "status-get", "access": "write", "hook": "", "brief": [ "redefined" ] }""");
        dir.Write("api/_template.json", "not JSON, as in Kea's own directory");
        var rbac = Options($$"""
            { "assign-role-method": "remote-address", "api-files": "{{dir.Path}}/api",
              "roles": [ { "name": "127.0.0.1", "accept-commands": "WRITE" } ] }
            """);
        var role = rbac.RoleFor("127.0.0.1");
        Assert.True(rbac.Accepts(role, "status-get"));
        Assert.False(rbac.Accepts(role, "config-write")); // not in the directory: WRITE does not match it
    }

    [Theory]
    [InlineData("""{ "api-files": "/x" }""", "Dhcp6/hooks-libraries[0]/parameters", "'assign-role-method' is required")]
    [InlineData("""{ "assign-role-method": "remote-address" }""", "Dhcp6/hooks-libraries[0]/parameters", "'api-files' is required")]
    [InlineData("""{ "assign-role-method": "password", "api-files": "/x" }""", "Dhcp6/hooks-libraries[0]/parameters/assign-role-method", "unknown role assignment method \"password\"")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "a", "accept-commands": "MOST" } ] }""", "Dhcp6/hooks-libraries[0]/parameters/roles[0]/accept-commands", "unknown access control list 'MOST'")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "a", "accept-commands": { "commands": [ "make-coffee" ] } } ] }""", "Dhcp6/hooks-libraries[0]/parameters/roles[0]/accept-commands/commands[0]", "unknown command 'make-coffee'")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "a" }, { "name": "a" } ] }""", "Dhcp6/hooks-libraries[0]/parameters/roles[1]/name", "role 'a' is already defined")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "a", "other-commands": "maybe" } ] }""", "Dhcp6/hooks-libraries[0]/parameters/roles[0]/other-commands", "must be \"accept\" or \"reject\"")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "default-role": { "name": "x" } }""", "Dhcp6/hooks-libraries[0]/parameters/default-role/name", "spurious 'name' parameter")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "a", "response-filters": [ "hide-passwords" ] } ] }""", "Dhcp6/hooks-libraries[0]/parameters/roles[0]/response-filters[0]", "unknown response filter")]
    [InlineData("""{ "assign-role-method": "remote-address", "api-files": "/x", "access-control-lists": [ { "ALL": "NONE" } ] }""", "Dhcp6/hooks-libraries[0]/parameters/access-control-lists[0]/ALL", "already defined")]
    public void Mistakes_are_refused_with_their_path(string parameters, string path, string message) =>
        LoadFails(Hooks(parameters), path, message);

    [Fact]
    public async Task An_http_control_socket_refuses_what_the_role_of_the_basic_authentication_user_may_not_run()
    {
        var auth = """, "authentication": {"type": "basic", "realm": "r", "clients": [{"user": "reader", "password": "p1"}, {"user": "admin", "password": "p2"}, {"user": "nobody", "password": "p3"}]}""";
        var dhcp6 = ControlTestServer.DefaultDhcp6(authentication: auth);
        dhcp6["hooks-libraries"] = JsonNode.Parse($$"""[ { "library": "libdhcp_rbac.so", "parameters": {{Roles}} } ]""");
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, JsonNode? Body)> Post(string user, string password, string command)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.HttpPort}/")
            {
                Content = new StringContent($$"""{"command": "{{command}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            using var response = await http.SendAsync(request);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }

        var (status, body) = await Post("reader", "p1", "status-get");
        Assert.Equal(HttpStatusCode.OK, status);
        ControlAssert.Result((JsonObject)body!.AsArray().Single()!, Pukeko.Server.Control.ControlResult.Success);

        (status, body) = await Post("reader", "p1", "config-get");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(403, body!["result"]!.GetValue<int>());
        Assert.Equal("Forbidden", body["text"]!.GetValue<string>());

        // The list-commands filter leaves out what the reader may not run.
        (status, body) = await Post("reader", "p1", "list-commands");
        var listed = body!.AsArray().Single()!["arguments"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("status-get", listed);
        Assert.DoesNotContain("config-get", listed);
        Assert.DoesNotContain("config-write", listed);
        (_, body) = await Post("admin", "p2", "list-commands");
        Assert.Contains("config-write", body!.AsArray().Single()!["arguments"]!.AsArray().Select(n => n!.GetValue<string>()));

        // An authenticated user without a role of its own gets the unknown role: reads only.
        Assert.Equal(HttpStatusCode.OK, (await Post("nobody", "p3", "version-get")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post("nobody", "p3", "dhcp-disable")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("admin", "p2", "dhcp-disable")).Status);

        // The UNIX socket is not an HTTP socket: RBAC does not apply there, as in Kea.
        Assert.Contains("\"result\": 0", await server.UnixAsync("""{"command": "config-get"}"""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Require_tls_refuses_a_plain_http_request_as_unauthorized()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "libdhcp_rbac.so", "parameters": { "assign-role-method": "remote-address", "api-files": "/x", "require-tls": true, "roles": [ { "name": "127.0.0.1", "accept-commands": "ALL" } ] } } ]""");
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        using var http = new HttpClient();
        using var response = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/", new StringContent("""{"command": "version-get"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_remote_address_names_the_role()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "libdhcp_rbac.so", "parameters": { "assign-role-method": "remote-address", "api-files": "/x", "roles": [ { "name": "127.0.0.1", "accept-commands": "READ" } ] } } ]""");
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        using var http = new HttpClient();
        using var read = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/", new StringContent("""{"command": "config-get"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var write = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/", new StringContent("""{"command": "config-write"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }
}
