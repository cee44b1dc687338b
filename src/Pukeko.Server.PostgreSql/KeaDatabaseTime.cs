namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Kea's convention for <c>lease6.expire</c>: it binds the expiration as a zone-less
/// <c>YYYY-MM-DD HH:MM:SS</c> in the server process's local time, which PostgreSQL reads in the session's
/// TimeZone, and reads it back as <c>extract(epoch from expire)</c>. Writing the same way stores the same
/// instant Kea would, so a row written by either server reads back identically on the other (both hosts and
/// the database session must share a time zone, as Kea itself requires).
/// </summary>
internal static class KeaDatabaseTime
{
    /// <summary>Kea refuses expirations beyond this (2038-01-19), which PostgreSQL does not read back reliably.</summary>
    public const long MaxDatabaseTime = int.MaxValue;

    /// <summary>The zone-less local wall-clock time of <paramref name="unixSeconds"/>, for a <c>timestamp</c> parameter.</summary>
    public static DateTime ToLocalWallClock(long unixSeconds)
    {
        if (unixSeconds is < 0 or > MaxDatabaseTime)
        {
            throw new ArgumentOutOfRangeException(nameof(unixSeconds), unixSeconds,
                $"expiration time {unixSeconds} is outside what Kea's PostgreSQL schema stores (0..{MaxDatabaseTime})");
        }

        var utc = DateTime.UnixEpoch.AddSeconds(unixSeconds);
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.Local);
        return DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
    }

    /// <summary>
    /// The <c>expire</c> column Kea writes for a lease: cltt + valid, except cltt itself for an infinite
    /// lifetime (so the sum cannot overflow).
    /// </summary>
    public static long ExpireOf(long cltt, uint validLifetime) =>
        validLifetime == Leases.Lease6.InfiniteLifetime ? cltt : cltt + validLifetime;

    /// <summary>The client last transmission time Kea derives back from <c>expire</c> and the valid lifetime.</summary>
    public static long ClttOf(long expire, uint validLifetime) =>
        validLifetime == Leases.Lease6.InfiniteLifetime ? expire : expire - validLifetime;
}
