namespace Pukeko.Server.HighAvailability;

/// <summary>HA as configured now: the parsed configuration and its running services, one per relationship.</summary>
internal sealed record HaRuntime(HaConfig Config, HaServices Services)
{
    /// <summary>The service of the only relationship; null in hub and spoke (several relationships).</summary>
    public HaService? Service => Services.Single;
}
