using Microsoft.Extensions.Logging;
using Pukeko.Server.Allocation;
using Pukeko.Server.Hooks;
using Pukeko.Server.Reservations;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// What every stage of the pipeline uses: the allocation engine, the hooks, the counters, the
/// loggers and the clock. One instance per processor; the stages keep no per-packet state of their own.
/// </summary>
internal sealed class PipelineServices
{
    private HooksManager _hooks;

    public PipelineServices(AllocationEngine allocation, PacketStatistics statistics, LeaseStatistics leaseStatistics, ILoggerFactory loggers, TimeProvider time)
    {
        Allocation = allocation;
        _hooks = allocation.Hooks ??= new HooksManager(loggers);
        Statistics = statistics;
        LeaseStatistics = leaseStatistics;
        Time = time;
        Loggers = loggers;
        Log = loggers.CreateLogger("kea-dhcp6.dhcp6");
        PacketLog = loggers.CreateLogger("kea-dhcp6.packets");
        LeaseLog = loggers.CreateLogger("kea-dhcp6.leases");
    }

    public AllocationEngine Allocation { get; }

    /// <summary>The hooks the pipeline calls; the allocation engine uses the same manager.</summary>
    public HooksManager Hooks
    {
        get => _hooks;
        set
        {
            _hooks = value;
            Allocation.Hooks = value;
        }
    }

    public PacketStatistics Statistics { get; }

    public LeaseStatistics LeaseStatistics { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory Loggers { get; }

    /// <summary><c>kea-dhcp6.dhcp6</c>: processing decisions.</summary>
    public ILogger Log { get; }

    /// <summary><c>kea-dhcp6.packets</c>: per-packet receive, drop and send lines.</summary>
    public ILogger PacketLog { get; }

    /// <summary><c>kea-dhcp6.leases</c>: lease decisions.</summary>
    public ILogger LeaseLog { get; }

    /// <summary>Which queries this server answers at all (HA scopes); null: all of them.</summary>
    public IQueryFilter? QueryFilter { get; set; }

    /// <summary>Answers LEASEQUERY messages while the lease query library is configured; null: they are dropped as unsupported.</summary>
    public ILeaseQueryResponder? LeaseQuery { get; set; }

    /// <summary>What holds a reply until its committed leases are acknowledged (HA); null: replies go out at once.</summary>
    public ICommittedLeasesGate? CommittedLeasesGate { get; set; }

    /// <summary>Where host identifiers come from; its <see cref="HostIdentifierSource.FlexId"/> is the host6_identifier seam.</summary>
    public HostIdentifierSource HostIdentifiers { get; } = new();

    /// <summary>Counts a drop: its own counter (when Kea has one) and <c>pkt6-receive-drop</c>.</summary>
    public void Drop(DropReason reason)
    {
        switch (reason)
        {
            case DropReason.ParseFailed: Statistics.ParseFailed.Increment(); break;
            case DropReason.NotForUs: Statistics.NotForUs.Increment(); break;
            case DropReason.RfcViolation: Statistics.RfcViolation.Increment(); break;
            case DropReason.ProcessingFailed: Statistics.ProcessingFailed.Increment(); break;
            case DropReason.ServiceDisabled: Statistics.ServiceDisabled.Increment(); break;
            case DropReason.QueueFull: Statistics.QueueFull.Increment(); break;
            case DropReason.Duplicate: Statistics.Duplicate.Increment(); break;
        }

        Statistics.ReceiveDrop.Increment();
    }
}
