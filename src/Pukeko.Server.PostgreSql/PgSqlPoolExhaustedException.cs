namespace Pukeko.Server.PostgreSql;

/// <summary>
/// No pooled connection came free within the connect timeout while every one was at work: the database is busy,
/// not lost, so only the packet that waited fails.
/// </summary>
internal sealed class PgSqlPoolExhaustedException : Exception
{
    public PgSqlPoolExhaustedException()
    {
    }

    public PgSqlPoolExhaustedException(string message)
        : base(message)
    {
    }

    public PgSqlPoolExhaustedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
