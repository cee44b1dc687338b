namespace Pukeko.Server.HighAvailability;

/// <summary>
/// One element of <c>high-availability</c>: this server, its partner (and backups), and how they work together.
/// Defaults are Kea 2.2's.
/// </summary>
internal sealed record HaRelationshipConfig
{
    public required string ThisServerName { get; init; }

    public required HaMode Mode { get; init; }

    /// <summary>Peers in Kea's order: primary first, then secondary or standby, then backups.</summary>
    public required IReadOnlyList<HaPeerConfig> Peers { get; init; }

    /// <summary>Interval between heartbeats; zero means none are sent.</summary>
    public TimeSpan HeartbeatDelay { get; init; } = TimeSpan.FromMilliseconds(10000);

    /// <summary>No successful heartbeat for longer than this: communication with the partner is interrupted.</summary>
    public TimeSpan MaxResponseDelay { get; init; } = TimeSpan.FromMilliseconds(60000);

    /// <summary>A client whose elapsed time exceeds this is one the partner is not answering.</summary>
    public TimeSpan MaxAckDelay { get; init; } = TimeSpan.FromMilliseconds(10000);

    /// <summary>More unanswered clients than this (while interrupted) means the partner is down; 0 = at once.</summary>
    public int MaxUnackedClients { get; init; } = 10;

    /// <summary>Kea 2.3.1+'s key; absent in 2.2 (null then).</summary>
    public int? MaxRejectedLeaseUpdates { get; init; }

    /// <summary>Lease updates kept while the partner is unreachable (load-balancing only: 100; else 0).</summary>
    public int DelayedUpdatesLimit { get; init; }

    public bool SendLeaseUpdates { get; init; } = true;

    public bool SyncLeases { get; init; } = true;

    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromMilliseconds(60000);

    public int SyncPageLimit { get; init; } = 10000;

    public bool WaitBackupAck { get; init; }

    public bool RequireClientCerts { get; init; } = true;

    public bool RestrictCommands { get; init; }

    public HaMultiThreading MultiThreading { get; init; } = new();

    public string? TrustAnchor { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Pausing per state name (<c>state-machine.states</c>); states not listed never pause.</summary>
    public IReadOnlyDictionary<string, HaPausing> StatePausing { get; init; } = new Dictionary<string, HaPausing>(StringComparer.Ordinal);

    /// <summary>This server's own peer entry (validation guarantees it exists).</summary>
    public HaPeerConfig ThisServer => Peers.First(p => p.Name == ThisServerName);

    /// <summary>The other active server (primary, secondary or standby); null for a backup or in passive-backup.</summary>
    public HaPeerConfig? Partner => ThisServer.Role == HaRole.Backup || Mode == HaMode.PassiveBackup
        ? null
        : Peers.FirstOrDefault(p => p.Name != ThisServerName && p.Role != HaRole.Backup);

    /// <summary>Backup servers (they receive lease updates only).</summary>
    public IEnumerable<HaPeerConfig> Backups => Peers.Where(p => p.Role == HaRole.Backup && p.Name != ThisServerName);
}
