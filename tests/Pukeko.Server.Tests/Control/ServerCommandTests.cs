using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.Control;

using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class ServerCommandTests
{
    [Fact]
    public async Task Version_and_build_report_come_from_the_daemon_texts()
    {
        await using var server = await ControlTestServer.StartAsync();
        var version = ControlAssert.Result(await server.CommandAsync("""{"command": "version-get"}"""), ControlResult.Success, "9.9.9");
        Assert.Equal("9.9.9 extended", ControlAssert.Args(version)["extended"]!.GetValue<string>());
        ControlAssert.Result(await server.CommandAsync("""{"command": "build-report"}"""), ControlResult.Success, "build report text");
    }

    [Fact]
    public async Task Status_get_reports_pid_lease_file_and_service_state()
    {
        await using var server = await ControlTestServer.StartAsync();
        var args = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "status-get"}"""), ControlResult.Success));
        Assert.Equal(Environment.ProcessId, args["pid"]!.GetValue<int>());
        Assert.Equal(Path.Combine(server.Environment.DataDirectory, "leases.csv"), args["csv-lease-file"]!.GetValue<string>());
        Assert.False(args["dhcp-state"]!["globally-disabled"]!.GetValue<bool>());
        Assert.Equal("ready", args["sockets"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dhcp_disable_drops_queries_until_enabled()
    {
        await using var server = await ControlTestServer.StartAsync();
        Assert.NotNull(server.Solicit());
        ControlAssert.Result(await server.CommandAsync("""{"command": "dhcp-disable"}"""), ControlResult.Success, "DHCPv6 service disabled");
        Assert.Null(server.Solicit());
        Assert.Equal(1, server.Server.Statistics.Value("pkt6-service-disabled"));
        ControlAssert.Result(await server.CommandAsync("""{"command": "dhcp-enable"}"""), ControlResult.Success, "DHCP service successfully enabled");
        Assert.NotNull(server.Solicit());
    }

    [Fact]
    public async Task Dhcp_disable_with_max_period_re_enables_by_itself()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ControlTestServer.StartAsync(time: time);
        ControlAssert.Result(await server.CommandAsync("""{"command": "dhcp-disable", "arguments": {"max-period": 5}}"""), ControlResult.Success, "DHCPv6 service disabled for 5 seconds");
        Assert.Null(server.Solicit());
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(server.Solicit());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull(server.Solicit());
        ControlAssert.Result(await server.CommandAsync("""{"command": "dhcp-disable", "arguments": {"max-period": 0}}"""), ControlResult.Error);
    }

    [Fact]
    public async Task Disabled_state_survives_a_reconfiguration()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync("""{"command": "dhcp-disable"}""");
        var set = new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = ControlTestServer.DefaultDhcp6() } };
        ControlAssert.Result(await server.CommandAsync(set.ToJsonString()), ControlResult.Success);
        Assert.Null(server.Solicit());
    }

    [Fact]
    public async Task Shutdown_answers_then_asks_the_host_to_stop_with_the_exit_value()
    {
        await using var server = await ControlTestServer.StartAsync();
        var requested = new TaskCompletionSource<int>();
        server.Server.ShutdownRequested += code => requested.TrySetResult(code);
        ControlAssert.Result(await server.CommandAsync("""{"command": "shutdown", "arguments": {"exit-value": 3}}"""), ControlResult.Success, "Shutting down.");
        Assert.Equal(3, await requested.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Leases_reclaim_needs_remove_and_reclaims_expired_leases()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync("""{"command": "leases-reclaim"}"""), ControlResult.Error, "Missing mandatory 'remove' parameter.");
        var expire = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::12", "duid": "01:02:03", "iaid": 1, "valid-lft": 100, "expire": {{expire}} } }"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync("""{"command": "leases-reclaim", "arguments": {"remove": true}}"""), ControlResult.Success, "Reclamation of expired leases is complete.");
        Assert.Null(server.Server.Leases!.Get(Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8:1::12")));
    }

    [Fact]
    public async Task Server_tag_and_config_backend_pull()
    {
        await using var server = await ControlTestServer.StartAsync();
        Assert.Equal("", ControlAssert.Args(await server.CommandAsync("""{"command": "server-tag-get"}"""))["server-tag"]!.GetValue<string>());
        ControlAssert.Result(await server.CommandAsync("""{"command": "config-backend-pull"}"""), ControlResult.Empty, "No config backend.");
    }

    [Fact]
    public async Task Libreload_goes_to_the_hooks_layer()
    {
        await using var server = await ControlTestServer.StartAsync();
        var hooks = new FakeCommandExtensions();
        server.Server.CommandExtensions = hooks;
        ControlAssert.Result(await server.CommandAsync("""{"command": "libreload", "arguments": {"library": "libx.so"}}"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync("""{"command": "libreload"}"""), ControlResult.Success);
        Assert.Equal(["libx.so", null], hooks.Reloaded);
    }
}
