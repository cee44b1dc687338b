using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;

namespace Pukeko.Ctl.Tests;

/// <summary>The client against the server's real listeners (UNIX socket and Kestrel HTTP with basic auth).</summary>
public sealed class CommandClientTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pukeko-ctl-" + Guid.NewGuid().ToString("N"));

    private static CommandDispatcher Dispatcher()
    {
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        dispatcher.Register("echo", (command, _) => ValueTask.FromResult(ControlAnswer.Success("echoed", command.Arguments?.DeepClone())));
        return dispatcher;
    }

    [Fact]
    public async Task Sends_over_the_unix_socket_and_reads_the_whole_answer()
    {
        var path = Path.Combine(_directory, "ctrl");
        await using var listener = new UnixCommandListener(path, Dispatcher(), NullLogger.Instance);
        listener.Start();
        var big = new string('x', 200_000);
        var options = CtlCommandLine.Parse(["-s", path, "echo", $"payload={big}"], _ => null, TextReader.Null).Options!;

        var answer = await CommandClient.SendAsync(options, CancellationToken.None);

        var (text, exit) = AnswerPrinter.Format(answer, raw: false);
        Assert.Equal(0, exit);
        Assert.Equal(big, JsonNode.Parse(text)!["arguments"]!["payload"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sends_over_http_with_basic_authentication()
    {
        var config = new ControlSocketConfig
        {
            Type = ControlSocketType.Http,
            Address = "127.0.0.1",
            Port = 0,
            Authentication = new ControlAuthentication("r", [new ControlClientCredential("admin", "pw")]),
        };
        await using var listener = new HttpCommandListener(config, Dispatcher(), null, NullLogger.Instance);
        await listener.StartAsync(CancellationToken.None);
        var url = $"http://127.0.0.1:{listener.BoundPort}/";

        var ok = await CommandClient.SendAsync(CtlCommandLine.Parse(["-u", url, "-a", "admin:pw", "echo"], _ => null, TextReader.Null).Options!, CancellationToken.None);
        Assert.Equal(0, AnswerPrinter.Format(ok, raw: false).ExitCode);
        var denied = await CommandClient.SendAsync(CtlCommandLine.Parse(["-u", url, "-a", "admin:no", "echo"], _ => null, TextReader.Null).Options!, CancellationToken.None);
        Assert.Equal(1, AnswerPrinter.Format(denied, raw: false).ExitCode);
        Assert.Contains("Unauthorized", denied, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
