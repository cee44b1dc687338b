namespace Pukeko.Server.Configuration;

/// <summary>Kea's <c>on-fail</c>: what the server does when the lease database connection is lost.</summary>
internal enum DatabaseOnFail
{
    /// <summary>Stop serving DHCP while reconnecting; exit when the retries run out (Kea's default).</summary>
    StopRetryExit,

    /// <summary>Keep serving (what needs no lease database) while reconnecting; exit when the retries run out.</summary>
    ServeRetryExit,

    /// <summary>Keep serving while reconnecting, and keep running when the retries run out.</summary>
    ServeRetryContinue,
}
