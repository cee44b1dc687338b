using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Kea's dedicated HA listener (<c>multi-threading</c> with <c>enable-multi-threading</c> and
/// <c>http-dedicated-listener</c>): an HTTP(S) listener of its own at the host and port of this server's peer
/// <c>url</c>, through which partners send their commands instead of the control channel. Kea 2.2's rules: it runs
/// only while Dhcp6 multi-threading is on (else <c>HA_CONFIG_DHCP_MT_DISABLED</c> and the peer url is left to the
/// control channel); TLS is this server's peer entry's keys with <c>require-client-certs</c>; with
/// <c>restrict-commands</c> it accepts only the HA command set. As in Kea 3.x, the <c>basic-auth-user</c> and
/// password of this server's own peer entry are what the listener requires (Kea 2.2's listener checks none). In hub and
/// spoke each relationship has its own listener (Kea 2.6+).
/// The thread counts do not apply: Kestrel serves connections as they come.
/// </summary>
internal static class HaDedicatedListener
{
    /// <summary>Kea's accept list for DHCPv6 under <c>restrict-commands</c> (same in 2.2 and 3.x).</summary>
    public static readonly FrozenSet<string> RestrictedCommands = new[]
    {
        "list-commands", "status-get", "dhcp-disable", "dhcp-enable", "ha-reset", "ha-heartbeat", "lease6-bulk-apply",
        "lease6-update", "lease6-del", "lease6-get-all", "lease6-get-page", "ha-maintenance-notify", "ha-sync-complete-notify",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when the relationship asks for the listener (whether Dhcp6 multi-threading lets it run or not).</summary>
    public static bool IsRequested(HaRelationshipConfig relationship)
    {
        ArgumentNullException.ThrowIfNull(relationship);
        return relationship.MultiThreading is { Enabled: true, DedicatedListener: true };
    }

    /// <summary>
    /// The listeners that <paramref name="config"/> runs, as socket descriptions: one per relationship that asks for
    /// it (Kea 2.6+ gives each relationship its own, at this server's url in it); none without HA or with Dhcp6
    /// multi-threading off. Relationships that put this server at the same url share the first one's listener
    /// (commands pick their relationship by <c>server-name</c> anyway).
    /// </summary>
    public static IReadOnlyList<(int Relationship, ControlSocketConfig Socket)> For(DhcpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.MultiThreading.Enabled || config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<HaConfig>().FirstOrDefault() is not { } ha)
        {
            return [];
        }

        var listeners = new List<(int, ControlSocketConfig)>();
        for (var i = 0; i < ha.Relationships.Count; i++)
        {
            if (IsRequested(ha.Relationships[i]) && SocketOf(ha.Relationships[i]) is var socket && listeners.TrueForAll(l => l.Item2.EndpointKey != socket.EndpointKey))
            {
                listeners.Add((i, socket));
            }
        }

        return listeners;
    }

    /// <summary>The socket description of the listener of <paramref name="relationship"/>.</summary>
    public static ControlSocketConfig SocketOf(HaRelationshipConfig relationship)
    {
        ArgumentNullException.ThrowIfNull(relationship);
        var self = relationship.ThisServer;
        return new ControlSocketConfig
        {
            Type = ControlSocketType.Http,
            Address = self.Url.IdnHost.Trim('[', ']'),
            Port = self.Url.Port,
            TrustAnchor = self.TrustAnchor,
            CertFile = self.CertFile,
            KeyFile = self.KeyFile,
            CertRequired = relationship.RequireClientCerts,
            Authentication = self.BasicAuthUser is { } user
                ? new ControlAuthentication(ControlAuthentication.DefaultRealm, [new ControlClientCredential(user, self.BasicAuthPassword)])
                : null,
            AcceptedCommands = relationship.RestrictCommands ? RestrictedCommands : null,
        };
    }

    /// <summary>
    /// The configuration check Kea leaves to the socket layer: the listener cannot share its address and port with an
    /// HTTP control socket of the same server (Kea's documentation warns of it; here both would be in one process).
    /// </summary>
    public static void Check(DhcpConfig config, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(error);
        var listeners = For(config);
        if (listeners.Count == 0)
        {
            return;
        }

        var index = config.HooksLibraries.Select((l, i) => (l, i)).First(e => e.l.BuiltInOptions is HaConfig).i;
        foreach (var (relationship, listener) in listeners)
        {
            var path = $"Dhcp6/hooks-libraries[{index.ToString(CultureInfo.InvariantCulture)}]/parameters/high-availability[{relationship.ToString(CultureInfo.InvariantCulture)}]/multi-threading/http-dedicated-listener";
            foreach (var socket in config.ControlSockets.Where(s => s.Type != ControlSocketType.Unix))
            {
                if (socket.Port == listener.Port && Overlap(socket.Address, listener.Address))
                {
                    error(path, $"the dedicated HA listener at this server's peer url ({listener.Address} port {listener.Port.ToString(CultureInfo.InvariantCulture)}) would take the port of an HTTP control socket: give the peer url another port (Kea suggests 8001 beside a control socket on 8000)");
                }
            }

            // Two relationships at one port but different addresses (one of them a wildcard) cannot both bind.
            foreach (var (_, other) in listeners.Where(l => l.Relationship < relationship))
            {
                if (other.Port == listener.Port && Overlap(other.Address, listener.Address))
                {
                    error(path, $"the dedicated HA listener at this server's peer url ({listener.Address} port {listener.Port.ToString(CultureInfo.InvariantCulture)}) overlaps that of another relationship ({other.Address} port {other.Port.ToString(CultureInfo.InvariantCulture)}): give this server another port in each relationship");
                }
            }
        }
    }

    private static bool Overlap(string a, string b)
    {
        if (!IPAddress.TryParse(a, out var first) || !IPAddress.TryParse(b, out var second))
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }

        static bool Any(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        return first.Equals(second) || Any(first) || Any(second);
    }
}
