using System.Text.Json.Nodes;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class ConfigCommandTests
{
    private static string ConfigSet(JsonObject dhcp6) =>
        new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = dhcp6 } }.ToJsonString();

    [Fact]
    public async Task Bad_config_set_answers_with_the_reason_and_the_old_configuration_keeps_serving()
    {
        await using var server = await ControlTestServer.StartAsync();
        var hashBefore = server.Server.ConfigHash;
        var bad = ControlTestServer.DefaultDhcp6(subnet: "2001:db8:1::/64", pool: "2001:db9::1-2001:db9::5");

        var answer = await server.CommandAsync(ConfigSet(bad));

        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains("Dhcp6/subnet6[0]/pools[0]", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(hashBefore, server.Server.ConfigHash);
        var reply = server.Solicit();
        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Equal("2001:db8:1::10", ClientMessages.AddressOf(reply)!.Address.ToString());
    }

    [Fact]
    public async Task Good_config_set_swaps_the_configuration_and_answers_the_new_hash()
    {
        await using var server = await ControlTestServer.StartAsync();
        var next = ControlTestServer.DefaultDhcp6(subnet: "2001:db8:5::/64", pool: "2001:db8:5::100-2001:db8:5::1ff");

        var answer = await server.CommandAsync(ConfigSet(next));

        ControlAssert.Result(answer, ControlResult.Success, "Configuration successful.");
        var hash = ControlAssert.Args(answer)["hash"]!.GetValue<string>();
        Assert.Equal(hash, ControlAssert.Args(await server.CommandAsync("""{"command": "config-hash-get"}"""))["hash"]!.GetValue<string>());
        Assert.Equal("2001:db8:5::100", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());
    }

    [Fact]
    public async Task Config_set_without_dhcp6_is_refused()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync("""{"command": "config-set", "arguments": {"Dhcp4": {}}}"""), ControlResult.Error, "Missing mandatory 'Dhcp6' parameter.");
    }

    [Fact]
    public async Task Config_test_checks_without_applying()
    {
        await using var server = await ControlTestServer.StartAsync();
        var hash = server.Server.ConfigHash;
        var other = ControlTestServer.DefaultDhcp6(subnet: "2001:db8:5::/64", pool: "2001:db8:5::100-2001:db8:5::1ff");
        var good = await server.CommandAsync(ConfigSet(other).Replace("config-set", "config-test", StringComparison.Ordinal));
        ControlAssert.Result(good, ControlResult.Success);
        Assert.StartsWith("Configuration seems sane.", good["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(hash, server.Server.ConfigHash);

        var bad = (JsonObject)other.DeepClone();
        bad["valid-lifetime"] = "long";
        ControlAssert.Result(await server.CommandAsync(ConfigSet(bad).Replace("config-set", "config-test", StringComparison.Ordinal)), ControlResult.Error);
    }

    [Fact]
    public async Task Config_get_returns_the_running_dhcp6_map_and_its_hash()
    {
        await using var server = await ControlTestServer.StartAsync();
        var args = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "config-get"}"""), ControlResult.Success));
        Assert.Equal("2001:db8:1::/64", args["Dhcp6"]!["subnet6"]![0]!["subnet"]!.GetValue<string>());
        Assert.Equal(server.Server.ConfigHash, args["hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task Config_write_writes_a_loadable_file_with_mode_0640_only_in_the_config_directory()
    {
        await using var server = await ControlTestServer.StartAsync();
        var answer = ControlAssert.Result(await server.CommandAsync("""{"command": "config-write", "arguments": {"filename": "copy.json"}}"""), ControlResult.Success);
        var path = ControlAssert.Args(answer)["filename"]!.GetValue<string>();
        Assert.Equal(Path.Combine(Path.GetDirectoryName(server.ConfigFile)!, "copy.json"), path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, ControlAssert.ModeOf(path));
        Assert.True(Pukeko.Server.Configuration.ConfigLoader.LoadFile(path, server.Environment).Success);

        var outside = await server.CommandAsync("""{"command": "config-write", "arguments": {"filename": "/tmp/evil.json"}}""");
        ControlAssert.Result(outside, ControlResult.Error);
        Assert.False(File.Exists("/tmp/evil.json"));
    }

    [Fact]
    public async Task Config_reload_rereads_the_file_and_a_bad_file_keeps_the_running_config()
    {
        await using var server = await ControlTestServer.StartAsync();
        var next = ControlTestServer.DefaultDhcp6(subnet: "2001:db8:7::/64", pool: "2001:db8:7::10-2001:db8:7::20");
        File.WriteAllText(server.ConfigFile, new JsonObject { ["Dhcp6"] = next }.ToJsonString());
        ControlAssert.Result(await server.CommandAsync("""{"command": "config-reload"}"""), ControlResult.Success, "Configuration successful.");
        Assert.Equal("2001:db8:7::10", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());

        File.WriteAllText(server.ConfigFile, "{ not json");
        var failed = await server.CommandAsync("""{"command": "config-reload"}""");
        ControlAssert.Result(failed, ControlResult.Error);
        Assert.StartsWith("Config reload failed:", failed["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("2001:db8:7::", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString(), StringComparison.Ordinal);
    }
}
