using System.Text.Json.Nodes;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Control commands to one server of an HA pair (<see cref="HaLab"/>), sent with curl from inside the server's own
/// namespace to its HTTP control socket (port 8001, the pair's basic-auth user <c>ha</c>). Each helper answers null,
/// empty or 0 when the server cannot be reached, so tests can poll them while a server is down.
/// </summary>
internal static class HaControl
{
    public const string StatusGet = """{"command": "status-get"}""";

    /// <summary>A command to a server's HTTP control socket (by default the pair's port and user); the first answer of Kea's list.</summary>
    public static JsonObject? Command(string ns, string address, string command, int port = 8001, string credentials = "ha:ha-pair-secret")
    {
        var (code, text) = Run.Command("ip", "netns", "exec", ns, "curl", "-s", "-m", "5", "-u", credentials, "-H", "Content-Type: application/json", "-d", command, $"http://[{address}]:{port}/");
        if (code != 0 || text.Length == 0)
        {
            return null;
        }

        return JsonNode.Parse(text) is JsonArray { Count: > 0 } list ? list[0] as JsonObject : null;
    }

    /// <summary>The server's HA state from <c>status-get</c> (<c>ha-servers.local.state</c>).</summary>
    public static string? HaState(string ns, string address) => StateIn(Command(ns, address, StatusGet));

    /// <summary>The HA state in a <c>status-get</c> answer of Kea or Pukeko.</summary>
    public static string? StateIn(JsonObject? statusGetAnswer) =>
        statusGetAnswer?["arguments"]?["high-availability"]?[0]?["ha-servers"]?["local"]?["state"]?.GetValue<string>();

    /// <summary>The lease at <paramref name="ip"/> (<c>lease6-get</c>), or null.</summary>
    public static JsonObject? Lease(string ns, string address, string ip) => LeaseIn(Command(ns, address, LeaseGet(ip)));

    public static string LeaseGet(string ip) => $$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{ip}}}"}}""";

    /// <summary>The lease in a <c>lease6-get</c> answer, or null when it found none.</summary>
    public static JsonObject? LeaseIn(JsonObject? leaseGetAnswer) =>
        leaseGetAnswer is { } answer && answer["result"]?.GetValue<int>() == 0 ? answer["arguments"] as JsonObject : null;

    /// <summary>Every lease a server holds, as <c>lease6-get-all</c> lists it.</summary>
    public static List<JsonObject> LeaseObjects(string ns, string address) =>
        Command(ns, address, """{"command": "lease6-get-all"}""")?["arguments"]?["leases"]?.AsArray().OfType<JsonObject>().ToList() ?? [];

    /// <summary>Every lease a server holds, by address, as one line each (address, DUID, IAID, cltt, lifetime): comparable across servers.</summary>
    public static List<string> AllLeases(string ns, string address) =>
        LeaseObjects(ns, address).Select(LeaseLine).Order(StringComparer.Ordinal).ToList();

    /// <summary>A lease as one line (address, DUID, IAID, cltt, lifetime), comparable across servers, Kea's included.</summary>
    public static string LeaseLine(JsonObject lease) => $"{lease["ip-address"]} {lease["duid"]} {lease["iaid"]} {lease["cltt"]} {lease["valid-lft"]}";

    /// <summary>The latest value of a global statistic (<c>statistic-get</c>), 0 when absent.</summary>
    public static long Statistic(string ns, string address, string name) =>
        Command(ns, address, $$$"""{"command": "statistic-get", "arguments": {"name": "{{{name}}}"}}""")?["arguments"]?[name]?[0]?[0]?.GetValue<long>() ?? 0;
}
