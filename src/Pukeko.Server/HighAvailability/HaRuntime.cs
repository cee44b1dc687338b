namespace Pukeko.Server.HighAvailability;

/// <summary>
/// HA as configured now: the parsed configuration and, for one relationship, its running service (null for the
/// hub-and-spoke form, which is accepted but not served yet).
/// </summary>
internal sealed record HaRuntime(HaConfig Config, HaService? Service);
