using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Tests;

public sealed class CtlCommandLineTests
{
    private static CtlParseResult Parse(params string[] args) =>
        CtlCommandLine.Parse(args, _ => null, new StringReader("""{"from": "stdin"}"""));

    [Fact]
    public void Defaults_to_keas_socket_and_no_arguments()
    {
        var options = Parse("status-get").Options!;
        Assert.Equal("status-get", options.Command);
        Assert.Equal(CtlOptions.DefaultSocket, options.SocketPath);
        Assert.Null(options.Arguments);
        Assert.Equal("""{"command":"status-get"}""", CommandClient.BuildRequest(options));
    }

    [Fact]
    public void Socket_directory_comes_from_keas_variable()
    {
        var options = CtlCommandLine.Parse(["version-get"], n => n == "KEA_CONTROL_SOCKET_DIR" ? "/x/run" : null, TextReader.Null).Options!;
        Assert.Equal("/x/run/kea6-ctrl-socket", options.SocketPath);
    }

    [Fact]
    public void Arguments_as_json_from_stdin_or_key_value_pairs()
    {
        Assert.Equal("stdin", Parse("config-test", "-").Options!.Arguments!["from"]!.GetValue<string>());
        var json = Parse("lease6-get", """{"ip-address": "2001:db8::1"}""").Options!.Arguments!;
        Assert.Equal("2001:db8::1", json["ip-address"]!.GetValue<string>());
        var pairs = Parse("lease6-get-page", "from=start", "limit=10").Options!.Arguments!;
        Assert.Equal("start", pairs["from"]!.GetValue<string>());
        Assert.Equal(10, pairs["limit"]!.GetValue<int>());
    }

    [Fact]
    public void Http_requests_name_the_service_and_carry_credentials()
    {
        var options = Parse("-u", "http://127.0.0.1:8000/", "-a", "admin:pw", "list-commands").Options!;
        Assert.Equal("admin:pw", options.Credentials);
        var request = JsonNode.Parse(CommandClient.BuildRequest(options))!;
        Assert.Equal("dhcp6", request["service"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("no command given")]
    [InlineData("unknown option --bogus", "--bogus", "x")]
    [InlineData("not an http(s) URL: ftp://x", "-u", "ftp://x", "c")]
    [InlineData("give either --socket or --url, not both", "-s", "/a", "-u", "http://x/", "c")]
    [InlineData("--auth must be USER:PASSWORD", "-a", "nopassword", "c")]
    [InlineData("bad arguments: expected key=value, got 'oops'", "c", "oops", "more")]
    [InlineData("option -s needs a value", "-s")]
    [InlineData("top takes no arguments", "top", "x=1")]
    [InlineData("--interval and --once go with top", "--once", "status-get")]
    [InlineData("bad interval (0.1 to 86400 seconds): 0", "top", "--interval", "0")]
    [InlineData("bad interval (0.1 to 86400 seconds): soon", "--interval", "soon", "top")]
    public void Bad_command_lines_say_why(string error, params string[] args) =>
        Assert.Equal(error, Parse(args).Error);

    [Fact]
    public void Top_polls_every_two_seconds_unless_told_otherwise()
    {
        var live = Parse("top").Options!;
        Assert.Equal(("top", TimeSpan.FromSeconds(2), false), (live.Command, live.Interval, live.Once));
        var once = Parse("-s", "/x", "top", "--interval", "0.5", "--once").Options!;
        Assert.Equal(("/x", TimeSpan.FromSeconds(0.5), true), (once.SocketPath, once.Interval, once.Once));
        Assert.Contains("--interval SEC", CtlCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_not_an_error() => Assert.True(Parse("--help").HelpRequested);

    [Theory]
    [InlineData("""{"result": 0, "text": "ok"}""", 0)]
    [InlineData("""[{"result": 3, "text": "none"}]""", 3)]
    [InlineData("""{"result": 401, "text": "Unauthorized"}""", 1)]
    [InlineData("""not json""", AnswerPrinter.BadAnswerExit)]
    public void Exit_status_is_the_answers_result(string answer, int exit) =>
        Assert.Equal(exit, AnswerPrinter.Format(answer, raw: false).ExitCode);

    [Fact]
    public void Pretty_printing_unwraps_the_http_list()
    {
        var (text, _) = AnswerPrinter.Format("""[{"result":0,"arguments":{"a":"b'c"}}]""", raw: false);
        Assert.StartsWith("{", text, StringComparison.Ordinal);
        Assert.Contains("\n", text, StringComparison.Ordinal);
        Assert.Contains("b'c", text, StringComparison.Ordinal);
    }
}
