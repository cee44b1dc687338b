using System.Text.Json.Nodes;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// The configuration of one server of an HA test, built piece by piece: its interfaces and subnets (each may name
/// the relationship that serves it, <c>user-context.ha-server-name</c>), an HTTP control socket at port 8001 of its
/// control address (what <see cref="HaControl"/> talks to, as user <c>ha</c>), and its hot-standby relationships,
/// each with its own dedicated HA listener (Dhcp6 multi-threading on) that requires the same user. <c>{dir}</c> is
/// left for <see cref="ServerProcess"/>.
/// </summary>
internal sealed class HaConfigBuilder(string controlAddress)
{
    private readonly JsonArray _interfaces = [];
    private readonly JsonArray _subnets = [];
    private readonly JsonArray _relationships = [];

    /// <summary>A subnet on <paramref name="interfaceName"/>, with a pool; <paramref name="haServerName"/> maps it to a relationship.</summary>
    /// <param name="id">The subnet's <c>id</c>; null writes none (the server assigns the lowest free one, as Kea does).</param>
    public HaConfigBuilder Subnet(int? id, string prefix, string interfaceName, string pool, string? haServerName = null)
    {
        if (!_interfaces.Any(i => i!.GetValue<string>() == interfaceName))
        {
            _interfaces.Add(interfaceName);
        }

        var subnet = new JsonObject { ["subnet"] = prefix, ["interface"] = interfaceName, ["pools"] = new JsonArray(new JsonObject { ["pool"] = pool }) };
        if (id is not null)
        {
            subnet["id"] = id;
        }

        if (haServerName is not null)
        {
            subnet["user-context"] = new JsonObject { ["ha-server-name"] = haServerName };
        }

        _subnets.Add(subnet);
        return this;
    }

    /// <summary>
    /// A hot-standby relationship in which this server is <paramref name="self"/> (the primary's or the standby's
    /// name). Heartbeats every second, partner down after 3 s without one (max-unacked-clients 0), leases synchronised.
    /// </summary>
    public HaConfigBuilder HotStandby(string self, HaPeer primary, HaPeer standby)
    {
        _relationships.Add(new JsonObject
        {
            ["this-server-name"] = self,
            ["mode"] = "hot-standby",
            ["heartbeat-delay"] = 1000,
            ["max-response-delay"] = 3000,
            ["max-ack-delay"] = 1000,
            ["max-unacked-clients"] = 0,
            ["sync-leases"] = true,
            ["multi-threading"] = new JsonObject { ["enable-multi-threading"] = true, ["http-dedicated-listener"] = true },
            ["peers"] = new JsonArray(
                Peer(primary, "primary"),
                Peer(standby, "standby")),
        });
        return this;
    }

    private static JsonObject Peer(HaPeer peer, string role) =>
        new() { ["name"] = peer.Name, ["url"] = peer.Url, ["role"] = role, ["basic-auth-user"] = User, ["basic-auth-password"] = Password };

    private const string User = "ha";

    private const string Password = "ha-pair-secret";

    /// <summary>The configuration file's text.</summary>
    public string Build() => new JsonObject
    {
        ["Dhcp6"] = new JsonObject
        {
            ["interfaces-config"] = new JsonObject { ["interfaces"] = _interfaces.DeepClone() },
            ["lease-database"] = new JsonObject { ["type"] = "memfile", ["name"] = "{dir}/kea-leases6.csv" },
            ["multi-threading"] = new JsonObject { ["enable-multi-threading"] = true },
            ["control-sockets"] = new JsonArray(new JsonObject
            {
                ["socket-type"] = "http",
                ["socket-address"] = controlAddress,
                ["socket-port"] = 8001,
                ["authentication"] = new JsonObject { ["type"] = "basic", ["clients"] = new JsonArray(new JsonObject { ["user"] = User, ["password"] = Password }) },
            }),
            ["renew-timer"] = 3,
            ["rebind-timer"] = 6,
            ["preferred-lifetime"] = 60,
            ["valid-lifetime"] = 90,
            ["hooks-libraries"] = new JsonArray(
                new JsonObject { ["library"] = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
                new JsonObject
                {
                    ["library"] = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so",
                    ["parameters"] = new JsonObject { ["high-availability"] = _relationships.DeepClone() },
                }),
            ["subnet6"] = _subnets.DeepClone(),
            ["loggers"] = JsonNode.Parse("""[ { "name": "kea-dhcp6", "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ], "severity": "INFO" } ]"""),
        },
    }.ToJsonString();
}

/// <summary>A server of an HA relationship: its name and the address and port of its dedicated HA listener.</summary>
internal sealed record HaPeer(string Name, string Address, int Port = 8002)
{
    public string Url => $"http://[{Address}]:{Port}/";
}
