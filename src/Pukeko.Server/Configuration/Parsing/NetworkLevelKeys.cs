namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Keys Kea takes at the global, shared-network and subnet levels that need no value in Pukeko's model:
/// <c>adaptive-lease-time-threshold</c> (checked as Kea does).
/// </summary>
internal static class NetworkLevelKeys
{
    public static void Register<TDraft>(KeyTable<TDraft> keys)
    {
        keys.On("adaptive-lease-time-threshold", (d, v, p, c) =>
        {
            // Kea shortens prefix lifetimes above this pool occupancy only with the flq allocator; its iterative and
            // random allocators (Pukeko's) report no occupancy, so a valid threshold changes nothing, as in Kea.
            if (c.TryDouble(v, p, out var threshold) && (threshold <= 0.0 || threshold > 1.0))
            {
                c.Error(p, $"adaptive-lease-time-threshold {threshold} is invalid, it must be greater than 0.0 and less than or equal to 1.0");
            }
        });
    }
}
