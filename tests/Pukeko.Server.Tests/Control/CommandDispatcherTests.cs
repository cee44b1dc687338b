using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Control;

namespace Pukeko.Server.Tests.Control;

public sealed class CommandDispatcherTests
{
    private static CommandDispatcher Create(ICommandExtensions? extensions = null)
    {
        var dispatcher = new CommandDispatcher(extensions, NullLogger.Instance);
        dispatcher.Register("echo", (command, _) => ValueTask.FromResult(ControlAnswer.Success("built-in", command.Arguments?.DeepClone())));
        return dispatcher;
    }

    private static Task<JsonObject> Run(CommandDispatcher dispatcher, string text) =>
        dispatcher.ExecuteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None).AsTask();

    [Fact]
    public async Task Unknown_command_is_result_2_with_keas_text()
    {
        var answer = await Run(Create(), """{"command": "no-such"}""");
        ControlAssert.Result(answer, ControlResult.Unsupported, "'no-such' command not supported.");
    }

    [Theory]
    [InlineData("""{"command": "echo", "extra": 1}""", "unsupported parameter 'extra'")]
    [InlineData("""{"arguments": {}}""", "missing mandatory 'command'")]
    [InlineData("""{"command": 5}""", "'command' must be a string")]
    [InlineData("""{"command": "echo", "arguments": [1]}""", "'arguments' must be a map")]
    [InlineData("""{"command": "echo" """, "invalid command")]
    [InlineData("""[1, 2]""", "expected a map")]
    public async Task Malformed_requests_are_result_1_with_only_result_and_text(string request, string fragment)
    {
        var answer = await Run(Create(), request);
        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains(fragment, answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, answer.Count); // Forge checks an error answer has exactly result and text
    }

    // Found by fuzz/Pukeko.Fuzz (target "command"): invalid UTF-8 inside a key or a string value passed JsonNode.Parse
    // and threw InvalidOperationException out of ExecuteAsync when the string was first read.
    [Theory]
    [InlineData("7b2022636f6d6d616e64223a20226c65617365362d676574222c2022617267756d656e7473223a207b202269702d6164738d657373223a2022323030383a313a3a31303022207d207d")]
    [InlineData("7b22636f6d6d616e64223a2022ff6563686f227d")]
    [InlineData("7b22636f6dc06d616e64223a20226563686f227d")]
    public async Task Invalid_utf8_is_an_invalid_command_not_an_exception(string hex)
    {
        var answer = await Create().ExecuteAsync(Convert.FromHexString(hex), CancellationToken.None);
        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains("not valid UTF-8", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    // Found by fuzz/Pukeko.Fuzz (target "command"): a repeated key threw ArgumentException out of ExecuteAsync at the
    // first read of the map. Kea keeps the last value of a repeated key; so does Pukeko.
    [Theory]
    [InlineData("""{ "command": "no-such", "command": "echo", "arguments": { "x": 1, "x": 2 } }""")]
    [InlineData("""{ "command": "echo", "arguments": { "x": 0 }, "arguments": { "x": [ 1 ], "x": 2 } }""")]
    public async Task A_repeated_key_keeps_its_last_value_as_in_kea(string request)
    {
        var answer = await Run(Create(), request);
        ControlAssert.Result(answer, ControlResult.Success, "built-in");
        Assert.Equal(2, ControlAssert.Args(answer)["x"]!.GetValue<int>());
    }

    // Found by fuzz/Pukeko.Fuzz (target "command"): a lone UTF-16 surrogate escape is valid JSON syntax but no .NET
    // string; reading it threw InvalidOperationException out of ExecuteAsync. The first is the fuzzer's input.
    [Theory]
    [InlineData("""{ "c\u007fmmand": "lease6-del", "arguments": { "ip-address": "2008:8::", "typ\ud800e": "IA_PD" } }""")]
    [InlineData("""{ "command": "echo", "arguments": { "x": "\ud800" } }""")]
    [InlineData("""{ "command": "ec\udc00ho" }""")]
    public async Task A_lone_surrogate_escape_is_an_invalid_command_not_an_exception(string request)
    {
        var answer = await Run(Create(), request);
        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains("invalid command", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comments_of_all_three_kinds_are_accepted()
    {
        var answer = await Run(Create(), "# hash\n{ // line\n \"command\": /* block */ \"echo\", \"arguments\": {\"x\": 1} }");
        ControlAssert.Result(answer, ControlResult.Success, "built-in");
        Assert.Equal(1, ControlAssert.Args(answer)["x"]!.GetValue<int>());
    }

    [Fact]
    public async Task Service_and_remote_address_keys_are_allowed()
    {
        var answer = await Run(Create(), """{"command": "echo", "service": ["dhcp6"], "remote-address": "::1"}""");
        ControlAssert.Result(answer, ControlResult.Success);
    }

    [Fact]
    public async Task Hook_commands_override_built_ins_and_see_the_whole_request()
    {
        var hooks = new FakeCommandExtensions();
        JsonObject? seen = null;
        hooks.Handlers["echo"] = (request, _) =>
        {
            seen = request;
            return ValueTask.FromResult(ControlAnswer.Success("from hook"));
        };
        var answer = await Run(Create(hooks), """{"command": "echo", "arguments": {"a": 1}}""");
        ControlAssert.Result(answer, ControlResult.Success, "from hook");
        Assert.Equal("echo", seen!["command"]!.GetValue<string>());
        Assert.Equal(1, seen["arguments"]!["a"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_commands_shows_built_ins_and_hook_commands_and_cannot_be_overridden()
    {
        var hooks = new FakeCommandExtensions();
        hooks.Handlers["block-list-add"] = (_, _) => ValueTask.FromResult(ControlAnswer.Success("ok"));
        hooks.Handlers[CommandDispatcher.ListCommands] = (_, _) => ValueTask.FromResult(ControlAnswer.Error("hijacked"));
        var answer = await Run(Create(hooks), """{"command": "list-commands"}""");
        ControlAssert.Result(answer, ControlResult.Success);
        var names = ((JsonArray)answer["arguments"]!).Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("echo", names);
        Assert.Contains("block-list-add", names);
        Assert.Equal(names.Distinct().Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task Command_processed_sees_every_answer_and_may_replace_it()
    {
        var hooks = new FakeCommandExtensions { Replace = r => ControlAnswer.Success("replaced") };
        var answer = await Run(Create(hooks), """{"command": "echo", "arguments": {"k": "v"}}""");
        ControlAssert.Result(answer, ControlResult.Success, "replaced");
        var (name, arguments, response) = Assert.Single(hooks.Processed);
        Assert.Equal("echo", name);
        Assert.Equal("v", arguments!["k"]!.GetValue<string>());
        Assert.Equal("built-in", response["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_throwing_handler_costs_one_answer_not_the_dispatcher()
    {
        var dispatcher = Create();
        dispatcher.Register("boom", (_, _) => throw new InvalidOperationException("kaput"));
        var answer = await Run(dispatcher, """{"command": "boom"}""");
        ControlAssert.Result(answer, ControlResult.Error, "Error during command processing: kaput");
        ControlAssert.Result(await Run(dispatcher, """{"command": "echo"}"""), ControlResult.Success);
    }
}
