using System.Text.Json;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Global Kea keys that tune how the server runs rather than what it hands out: <c>sanity-checks</c>,
/// <c>dhcp-queue-control</c>, <c>compatibility</c>, <c>data-directory</c>, reservation lookup switches,
/// <c>dhcp4o6-port</c>, <c>allow-address-registration</c>, <c>config-control</c>. Each is honoured, or (where Pukeko
/// cannot do what the value asks) accepted with a warning at its path that says why.
/// </summary>
internal static class ServerBehaviourKeys
{
    public static void Register(KeyTable<GlobalDraft> keys)
    {
        keys.On("sanity-checks", (d, v, p, c) => SanityChecks.Walk(v, p, d, c));
        keys.On("dhcp-queue-control", ParseQueueControl);
        keys.On("compatibility", (d, v, p, c) => Compatibility.Walk(v, p, d, c));
        keys.On("data-directory", (d, v, p, c) =>
        {
            // Read before the walk (it moves the default lease file); here only the deprecation is reported.
            if (c.TryString(v, p, out var dir))
            {
                c.Warn(p, $"data-directory is deprecated in Kea; the default lease file and the server-id file are kept in '{dir}'");
            }
        });
        keys.On("ip-reservations-unique", (d, v, p, c) =>
        {
            // Kea refuses false only when a host backend cannot hold non-unique reservations (HOSTS_MGR_NON_UNIQUE_IP_UNSUPPORTED);
            // both backends here (the configuration and PostgreSQL) can, as Kea's CfgHosts and PgSqlHostDataSource can.
            if (c.TryBool(v, p, out var unique))
            {
                d.IpReservationsUnique = unique;
            }
        });
        keys.On("reservations-lookup-first", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out _))
            {
                d.ReservationsLookupFirstPath = p;
            }
        });
        keys.On("early-global-reservations-lookup", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var early))
            {
                d.EarlyGlobalReservationsLookup = early;
            }
        });
        keys.On("dhcp4o6-port", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, ushort.MaxValue, out var port) && port != 0)
            {
                c.Warn(p, $"DHCPv4-over-DHCPv6 (port {port}) needs a kea-dhcp4 partner; Pukeko serves DHCPv6 only, so DHCPv4-query messages are not passed on");
            }
        });
        keys.On("allow-address-registration", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var allow) && allow)
            {
                c.Warn(p, "address registration (RFC 9686 ADDR-REG-INFORM) is not implemented: such messages are dropped, as with false");
            }
        });
        keys.On("config-control", (d, v, p, c) =>
        {
            if (c.ExpectKind(v, p, JsonValueKind.Object))
            {
                c.Warn(p, "config-control: the configuration backend (config databases) is not supported; the configuration comes from this file only");
            }
        });
    }

    /// <summary>Settles what depends on other global keys (multi-threading) once the whole map is read.</summary>
    public static void Finish(GlobalDraft draft, ParseContext context)
    {
        var multiThreading = draft.MultiThreading.Value!.Enabled;
        if (draft.ReservationsLookupFirstPath is { } lookupPath && multiThreading)
        {
            // Kea's DHCP6_RESERVATIONS_LOOKUP_FIRST_ENABLED: the order is fixed when threads run.
            context.Warn(lookupPath, "multi-threading is enabled, so host reservations are always looked up first (as in Kea)");
        }

        if (draft.QueueControl is not { Enabled: true } queue)
        {
            return;
        }

        if (multiThreading)
        {
            // Kea's DHCPSRV_MT_DISABLED_QUEUE_CONTROL.
            context.Warn(queue.Path, "multi-threading is enabled, so dhcp-queue-control is turned off as in Kea; packets wait in the multi-threading packet queue (packet-queue-size)");
            return;
        }

        // Without threads Kea's ring buffer holds 'capacity' packets between the sockets and the one worker; that is
        // the transport's packet queue here.
        draft.MultiThreading.Value = draft.MultiThreading.Value with { PacketQueueSize = (int)queue.Capacity, QueueControl = true };
    }

    private static readonly (string, LeaseSanityMode)[] LeaseCheckModes =
    [
        ("none", LeaseSanityMode.None), ("warn", LeaseSanityMode.Warn), ("fix", LeaseSanityMode.Fix),
        ("fix-del", LeaseSanityMode.FixDelete), ("del", LeaseSanityMode.Delete),
    ];

    private static readonly (string, ExtendedInfoSanityMode)[] ExtendedInfoCheckModes =
    [
        ("none", ExtendedInfoSanityMode.None), ("fix", ExtendedInfoSanityMode.Fix),
        ("strict", ExtendedInfoSanityMode.Strict), ("pedantic", ExtendedInfoSanityMode.Pedantic),
    ];

    private static readonly KeyTable<GlobalDraft> SanityChecks = new KeyTable<GlobalDraft>("sanity-checks")
        .On("lease-checks", (d, v, p, c) =>
        {
            if (c.TryChoice(v, p, LeaseCheckModes, text => $"Unsupported lease-checks value: {text}, supported values are: none, warn, fix, fix-del, del", out var mode))
            {
                d.LeaseChecks = mode;
            }
        })
        .On("extended-info-checks", (d, v, p, c) =>
        {
            if (c.TryChoice(v, p, ExtendedInfoCheckModes, text => $"Unsupported extended-info-checks value: {text}, supported values are: none, fix, strict, pedantic", out var mode))
            {
                d.ExtendedInfoChecks = mode;
            }
        });

    private static readonly KeyTable<GlobalDraft> Compatibility = new KeyTable<GlobalDraft>("compatibility")
        .On("lenient-option-parsing", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var lenient))
            {
                d.LenientOptionParsing = lenient;
            }
        });

    private static readonly KeyTable<QueueControlDraft> QueueControlKeys = new KeyTable<QueueControlDraft>("dhcp-queue-control")
        .On("enable-queue", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Enabled = b;
            }
        })
        .On("queue-type", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.QueueType = s;
                d.QueueTypePath = p;
            }
        })
        .On("capacity", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 1, int.MaxValue, out var x))
            {
                d.Capacity = x;
            }
        });

    private static void ParseQueueControl(GlobalDraft draft, JsonElement value, string path, ParseContext context)
    {
        var queue = new QueueControlDraft(path);
        if (!QueueControlKeys.Walk(value, path, queue, context, key => $"unknown parameter '{key}' in dhcp-queue-control (parameters of other queue types need the hook library that provides them)"))
        {
            return;
        }

        if (queue.Enabled)
        {
            if (queue.QueueType is null)
            {
                context.Error(path, "when queue is enabled, queue-type is required");
                return;
            }

            if (queue.QueueType != "kea-ring6")
            {
                context.Error(queue.QueueTypePath!, $"queue type '{queue.QueueType}' is not known; the DHCPv6 queue type is kea-ring6");
                return;
            }
        }

        draft.QueueControl = queue;
    }
}

/// <summary><c>dhcp-queue-control</c> as read; Kea's defaults (off, kea-ring6 of 64).</summary>
internal sealed class QueueControlDraft(string path)
{
    public string Path { get; } = path;

    public bool Enabled { get; set; }

    public string? QueueType { get; set; }

    public string? QueueTypePath { get; set; }

    public long Capacity { get; set; } = 64;
}
