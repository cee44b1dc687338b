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
/// password of this server's own peer entry are what the listener requires (Kea 2.2's listener checks none).
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
    /// The listener that <paramref name="config"/> runs, as a socket description; null when there is none (no HA,
    /// hub and spoke, not requested, or Dhcp6 multi-threading off).
    /// </summary>
    public static ControlSocketConfig? For(DhcpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Relationship(config) is { } relationship && config.MultiThreading.Enabled && IsRequested(relationship)
            ? SocketOf(relationship)
            : null;
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
        if (For(config) is not { } listener)
        {
            return;
        }

        var index = config.HooksLibraries.Select((l, i) => (l, i)).First(e => e.l.BuiltInOptions is HaConfig).i;
        foreach (var socket in config.ControlSockets.Where(s => s.Type != ControlSocketType.Unix))
        {
            if (socket.Port == listener.Port && Overlap(socket.Address, listener.Address))
            {
                error(
                    $"Dhcp6/hooks-libraries[{index.ToString(CultureInfo.InvariantCulture)}]/parameters/high-availability[0]/multi-threading/http-dedicated-listener",
                    $"the dedicated HA listener at this server's peer url ({listener.Address} port {listener.Port.ToString(CultureInfo.InvariantCulture)}) would take the port of an HTTP control socket: give the peer url another port (Kea suggests 8001 beside a control socket on 8000)");
            }
        }
    }

    private static HaRelationshipConfig? Relationship(DhcpConfig config) =>
        config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<HaConfig>().FirstOrDefault() is { Relationships.Count: 1 } ha
            ? ha.Relationships[0]
            : null;

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
