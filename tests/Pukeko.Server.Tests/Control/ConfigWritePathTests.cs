using System.Text.Json.Nodes;

namespace Pukeko.Server.Tests.Control;

public sealed class ConfigWritePathTests
{
    [Theory]
    [InlineData("/tmp/pukeko-config-write-test.json")]
    [InlineData("../escaped.json")]
    [InlineData("sub/inner.json")]
    public async Task Config_write_outside_the_config_directory_is_refused_with_keas_text(string fileName)
    {
        await using var server = await ControlTestServer.StartAsync();
        var answer = await server.CommandAsync(new JsonObject
        {
            ["command"] = "config-write",
            ["arguments"] = new JsonObject { ["filename"] = fileName },
        }.ToJsonString());

        ControlAssert.Result(answer, Pukeko.Server.Control.ControlResult.Error, null);
        Assert.Contains($"not allowed to write config into {fileName}: file {fileName} must be in the same directory as the config file", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/pukeko-config-write-test.json"));
        Assert.False(File.Exists(Path.Combine(server.Root.Path, "escaped.json")));
    }

    [Fact]
    public async Task Config_write_into_the_config_directory_writes_a_config_that_loads_again()
    {
        await using var server = await ControlTestServer.StartAsync();
        var answer = await server.CommandAsync("""{"command": "config-write", "arguments": {"filename": "copy.json"}}""");

        ControlAssert.Result(answer, Pukeko.Server.Control.ControlResult.Success, null);
        var written = Path.Combine(Path.GetDirectoryName(server.ConfigFile)!, "copy.json");
        Assert.Equal(written, answer["arguments"]!["filename"]!.GetValue<string>());
        var result = Pukeko.Server.Configuration.ConfigLoader.LoadFile(written, server.Environment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
    }

    [Fact]
    public async Task Relaxed_security_lets_lease6_write_name_a_file_outside_the_data_directory_but_not_config_write()
    {
        await using var server = await ControlTestServer.StartAsync(relaxedSecurity: true);
        var outside = Path.Combine(server.Root.Path, "elsewhere.csv");

        var answer = await server.CommandAsync(new JsonObject
        {
            ["command"] = "lease6-write",
            ["arguments"] = new JsonObject { ["filename"] = outside },
        }.ToJsonString());
        ControlAssert.Result(answer, Pukeko.Server.Control.ControlResult.Success, null);
        Assert.True(File.Exists(outside));

        // Kea's -X does not cover config-write's directory rule.
        answer = await server.CommandAsync("""{"command": "config-write", "arguments": {"filename": "../escaped.json"}}""");
        ControlAssert.Result(answer, Pukeko.Server.Control.ControlResult.Error, null);
    }

    [Fact]
    public async Task A_kea_2_configuration_may_be_written_outside_its_directory_as_kea_2_2_allows()
    {
        // "control-socket" (singular) is Kea 2.x's spelling, so the file is not in Kea 3.x's style.
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6.Remove("control-sockets");
        dhcp6["control-socket"] = new JsonObject { ["socket-type"] = "unix", ["socket-name"] = "ctrl" };
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        var outside = Path.Combine(server.Root.Path, "elsewhere", "copy.json");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);

        var answer = await server.CommandAsync(new JsonObject
        {
            ["command"] = "config-write",
            ["arguments"] = new JsonObject { ["filename"] = outside },
        }.ToJsonString());

        ControlAssert.Result(answer, Pukeko.Server.Control.ControlResult.Success, null);
        Assert.Equal(outside, answer["arguments"]!["filename"]!.GetValue<string>());
        var result = Pukeko.Server.Configuration.ConfigLoader.LoadFile(outside, server.Environment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
    }
}
