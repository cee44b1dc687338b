using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class ClassCommandTests
{
    /// <summary>Subnet 1 open only to class "allowed" (which every client with a client id is in); class_cmds loaded.</summary>
    private static JsonObject Config(bool withLibrary = true)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"]![0]!["client-classes"] = new JsonArray("allowed");
        dhcp6["client-classes"] = JsonNode.Parse("""[ { "name": "allowed", "test": "option[1].exists" }, { "name": "lab", "test": "member('allowed')" } ]""");
        if (withLibrary)
        {
            dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "/opt/kea/lib/libdhcp_class_cmds.so" } ]""");
        }

        return dhcp6;
    }

    private static string AddressOfSolicit(ControlTestServer server) =>
        ClientMessages.AddressOf(server.Solicit()!)?.Address.ToString() ?? "none";

    private static string Classes(string command, string definition) =>
        $$$"""{"command": "{{{command}}}", "arguments": {"client-classes": [ {{{definition}}} ]}}""";

    [Fact]
    public async Task Commands_exist_only_while_the_library_is_configured()
    {
        await using var server = await ControlTestServer.StartAsync(Config(withLibrary: false));
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-list"}"""), ControlResult.Unsupported, "'class-list' command not supported.");
    }

    [Fact]
    public async Task List_and_get_show_the_classes_as_configured()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var list = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "class-list"}"""), ControlResult.Success, "2 classes found"))["client-classes"]!.AsArray();
        Assert.Equal(["allowed", "lab"], list.Select(c => c!["name"]!.GetValue<string>()));

        var got = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "class-get", "arguments": {"name": "allowed"}}"""), ControlResult.Success, "Class 'allowed' definition returned"));
        Assert.Equal("option[1].exists", got["client-classes"]![0]!["test"]!.GetValue<string>());
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-get", "arguments": {"name": "nope"}}"""), ControlResult.Empty, "Class 'nope' not found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-get", "arguments": {"name": 1}}"""), ControlResult.Error, "'name' argument specified for the 'class-get' command is not a string");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-get", "arguments": {}}"""), ControlResult.Error, "invalid number of arguments 0 for the 'class-get' command. Expecting 'name' string");
    }

    [Fact]
    public async Task Update_changes_who_may_use_the_subnet_and_add_and_delete_persist()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        Assert.Equal("2001:db8:1::10", AddressOfSolicit(server));

        ControlAssert.Result(await server.CommandAsync(Classes("class-update", """{"name": "allowed", "test": "option[99].exists"}""")), ControlResult.Success, "Class 'allowed' updated");
        Assert.Equal("none", AddressOfSolicit(server));
        ControlAssert.Result(await server.CommandAsync(Classes("class-update", """{"name": "ghost", "test": "option[1].exists"}""")), ControlResult.Empty, "Class 'ghost' is not found");
        ControlAssert.Result(await server.CommandAsync(Classes("class-update", """{"name": "allowed", "test": "member('KNOWN')"}""")), ControlResult.Error,
            "modification of the class 'allowed' would affect its dependency on the KNOWN and/or UNKNOWN built-in classes. Such modification is not allowed because there may be other classes depending on those built-ins via the updated class");

        ControlAssert.Result(await server.CommandAsync(Classes("class-add", """{"name": "voip", "test": "option[16].exists", "option-data": [ {"name": "dns-servers", "data": "2001:db8::53"} ]}""")), ControlResult.Success, "Class 'voip' added");
        var classes = ControlAssert.Args(await server.CommandAsync("""{"command": "config-get"}"""))["Dhcp6"]!["client-classes"]!.AsArray();
        Assert.Equal(["allowed", "lab", "voip"], classes.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("option[99].exists", classes[0]!["test"]!.GetValue<string>());
        Assert.Equal("voip", server.Server.Config!.ClientClasses[^1].Name);

        var hash = server.Server.ConfigHash;
        ControlAssert.Result(await server.CommandAsync(Classes("class-add", """{"name": "voip"}""")), ControlResult.Error, "Client Class: class 'voip' is already defined");
        var badTest = await server.CommandAsync(Classes("class-add", """{"name": "broken", "test": "option[1].hex == "}"""));
        ControlAssert.Result(badTest, ControlResult.Error);
        Assert.Contains("client-classes[3]/test", badTest["text"]!.GetValue<string>(), StringComparison.Ordinal);
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-add", "arguments": {"client-classes": [ {"name": "a"}, {"name": "b"} ]}}"""), ControlResult.Error, "invalid number of classes specified for the 'class-add' command. Expected one class");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-add", "arguments": {}}"""), ControlResult.Error, "invalid number of arguments 0 for the 'class-add' command. Expecting 'client-classes' list");
        Assert.Equal(hash, server.Server.ConfigHash);

        ControlAssert.Result(await server.CommandAsync("""{"command": "class-del", "arguments": {"name": "allowed"}}"""), ControlResult.Error, "Class 'allowed' is used by class 'lab'");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-del", "arguments": {"name": "voip"}}"""), ControlResult.Success, "Class 'voip' deleted");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-del", "arguments": {"name": "voip"}}"""), ControlResult.Empty, "Class 'voip' not found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "class-list"}"""), ControlResult.Success, "2 classes found");
    }
}
