namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>expired-leases-processing</c>. Times are seconds except <paramref name="MaxReclaimTime"/> (milliseconds).
/// <paramref name="FlushReclaimedTimerWaitTime"/> 0 means reclaimed leases are removed at once (no lease affinity).
/// </summary>
internal sealed record ExpirationConfig(
    uint ReclaimTimerWaitTime = 10,
    uint FlushReclaimedTimerWaitTime = 25,
    uint HoldReclaimedTime = 3600,
    uint MaxReclaimLeases = 100,
    uint MaxReclaimTime = 250,
    uint UnwarnedReclaimCycles = 5)
{
    public static ExpirationConfig Default { get; } = new();
}
