using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Statistics;

/// <summary>
/// The packet counters Kea initialises at start-up (digest §7), resolved once so the pipeline
/// bumps fields instead of looking names up per packet.
/// </summary>
internal sealed class PacketStatistics
{
    public PacketStatistics(StatisticsRegistry registry)
    {
        Registry = registry;
        Received = Init("pkt6-received");
        Sent = Init("pkt6-sent");
        ParseFailed = Init("pkt6-parse-failed");
        ReceiveDrop = Init("pkt6-receive-drop");
        NotForUs = Init("pkt6-not-for-us");
        RfcViolation = Init("pkt6-rfc-violation");
        ProcessingFailed = Init("pkt6-processing-failed");
        QueueFull = Init("pkt6-queue-full");
        ServiceDisabled = Init("pkt6-service-disabled");
        AdminFiltered = Init("pkt6-admin-filtered");
        Duplicate = Init("pkt6-duplicate");
        WorkerStalled = Init("pkt6-worker-stalled");
        AdvertiseSent = Init("pkt6-advertise-sent");
        ReplySent = Init("pkt6-reply-sent");
        UnknownReceived = Init("pkt6-unknown-received");
        AllocationFail = Init("v6-allocation-fail");
        AllocationFailSubnet = Init("v6-allocation-fail-subnet");
        AllocationFailSharedNetwork = Init("v6-allocation-fail-shared-network");
        AllocationFailNoPools = Init("v6-allocation-fail-no-pools");
        AllocationFailClasses = Init("v6-allocation-fail-classes");
        AllocationConflicts = Init("v6-allocation-conflicts");
        Init("pkt6-limit-exceeded");
        Init("pkt6-addr-reg-inform-received");
        Init("pkt6-addr-reg-reply-received");
        Init("pkt6-lease-query-reply-sent");
        Init("pkt6-dhcpv4-response-sent");
        Init("pkt6-addr-reg-reply-sent");
        Init("v6-ia-na-lease-reuses");
        Init("v6-ia-pd-lease-reuses");
        _receivedByType = new Counter[256];
        foreach (var (type, name) in ReceivedNames)
        {
            _receivedByType[(byte)type] = Init(name);
        }
    }

    private static readonly (MessageType Type, string Name)[] ReceivedNames =
    [
        (MessageType.Solicit, "pkt6-solicit-received"),
        (MessageType.Advertise, "pkt6-advertise-received"),
        (MessageType.Request, "pkt6-request-received"),
        (MessageType.Reply, "pkt6-reply-received"),
        (MessageType.Renew, "pkt6-renew-received"),
        (MessageType.Rebind, "pkt6-rebind-received"),
        (MessageType.Decline, "pkt6-decline-received"),
        (MessageType.Release, "pkt6-release-received"),
        (MessageType.InformationRequest, "pkt6-infrequest-received"),
        (MessageType.Confirm, "pkt6-confirm-received"),
        (MessageType.Reconfigure, "pkt6-reconfigure-received"),
        ((MessageType)14, "pkt6-lease-query-received"),
        ((MessageType)20, "pkt6-dhcpv4-query-received"),
        ((MessageType)21, "pkt6-dhcpv4-response-received"),
    ];

    private readonly Counter[] _receivedByType;

    public StatisticsRegistry Registry { get; }

    public Counter Received { get; }
    public Counter Sent { get; }
    public Counter ParseFailed { get; }
    public Counter ReceiveDrop { get; }
    public Counter NotForUs { get; }
    public Counter RfcViolation { get; }
    public Counter ProcessingFailed { get; }
    public Counter QueueFull { get; }
    public Counter ServiceDisabled { get; }
    public Counter AdminFiltered { get; }
    public Counter Duplicate { get; }

    /// <summary>
    /// Pukeko's own (Kea has no such statistic): times a packet worker was busy with one packet for
    /// over a second, a callout blocking most likely, and another worker was started beside it.
    /// </summary>
    public Counter WorkerStalled { get; }
    public Counter AdvertiseSent { get; }
    public Counter ReplySent { get; }
    public Counter UnknownReceived { get; }
    public Counter AllocationFail { get; }
    public Counter AllocationFailSubnet { get; }
    public Counter AllocationFailSharedNetwork { get; }
    public Counter AllocationFailNoPools { get; }
    public Counter AllocationFailClasses { get; }

    /// <summary>
    /// Pukeko's own: a free (or expired) block was taken by another worker or server between the read and the
    /// write, so the write lost and the next candidate was tried. Kea retries the same way without counting it.
    /// </summary>
    public Counter AllocationConflicts { get; }

    /// <summary>Bumps the per-type received counter (Kea's processStatsReceived).</summary>
    public void CountReceived(MessageType type) => (_receivedByType[(byte)type] ?? UnknownReceived).Increment();

    /// <summary>Bumps pkt6-sent and the per-type sent counter.</summary>
    public void CountSent(MessageType type)
    {
        Sent.Increment();
        if (type == MessageType.Advertise)
        {
            AdvertiseSent.Increment();
        }
        else if (type == MessageType.Reply)
        {
            ReplySent.Increment();
        }
    }

    private Counter Init(string name)
    {
        var counter = Registry.Get(name);
        return counter;
    }
}
