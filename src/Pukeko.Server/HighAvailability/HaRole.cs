namespace Pukeko.Server.HighAvailability;

/// <summary>A peer's <c>role</c> in its relationship.</summary>
internal enum HaRole
{
    Primary,
    Secondary,
    Standby,
    Backup,
}
