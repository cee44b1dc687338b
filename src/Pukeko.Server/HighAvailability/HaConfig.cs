namespace Pukeko.Server.HighAvailability;

/// <summary>
/// The parsed <c>parameters</c> of <c>libdhcp_ha.so</c>: one relationship, or several (hub and spoke: this server is
/// the standby of several primaries, each relationship in hot-standby).
/// </summary>
internal sealed record HaConfig(IReadOnlyList<HaRelationshipConfig> Relationships);
