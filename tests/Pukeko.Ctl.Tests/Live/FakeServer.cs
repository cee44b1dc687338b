using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Tests.Live;

/// <summary>
/// Answers pukeko-ctl's commands from fields the test sets, counts what was asked, and can be made unreachable.
/// </summary>
internal sealed class FakeServer
{
    public Dictionary<string, long> Statistics { get; } = [];

    public long Reload { get; set; } = 10;

    public bool Down { get; set; }

    public bool RefusesConfigGet { get; set; }

    /// <summary>Answers as Kea's HTTP channel does: a list with one answer per service.</summary>
    public bool AnswersInAList { get; set; }

    public string Config { get; set; } = """{"Dhcp6": {"subnet6": [{"id": 1, "subnet": "2001:db8:1::/64", "pools": [{"pool": "2001:db8:1::/120"}]}]}}""";

    public Dictionary<string, int> Asked { get; } = [];

    public Task<string> SendAsync(CtlOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Asked[options.Command] = Asked.GetValueOrDefault(options.Command) + 1;
        if (Down)
        {
            throw new SocketException((int)SocketError.ConnectionRefused);
        }

        var answer = options.Command switch
        {
            "statistic-get-all" => Success(new JsonObject(Statistics.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonArray(new JsonArray(s.Value, "2026-12-03 10:00:00.000000")))))),
            "status-get" => Success(new JsonObject { ["pid"] = 4242, ["uptime"] = 3700, ["reload"] = Reload, ["dhcp-state"] = new JsonObject { ["globally-disabled"] = false } }),
            "config-get" when RefusesConfigGet => new JsonObject { ["result"] = 1, ["text"] = "forbidden" },
            "config-get" => Success(JsonNode.Parse(Config)!.AsObject()),
            _ => new JsonObject { ["result"] = 2, ["text"] = "unknown command" },
        };
        return Task.FromResult(AnswersInAList ? new JsonArray(answer).ToJsonString() : answer.ToJsonString());
    }

    private static JsonObject Success(JsonObject arguments) => new() { ["result"] = 0, ["arguments"] = arguments };
}
