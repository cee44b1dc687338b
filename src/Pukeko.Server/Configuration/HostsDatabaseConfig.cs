namespace Pukeko.Server.Configuration;

/// <summary>
/// One <c>hosts-database</c> (or <c>hosts-databases</c> entry): a PostgreSQL database holding host reservations in
/// Kea's tables. <paramref name="ReadOnly"/> is Kea's <c>readonly</c>: the connection's transactions are read-only
/// (Pukeko itself only reads reservations, so it is a guarantee to the operator, not a change of behaviour).
/// </summary>
internal sealed record HostsDatabaseConfig(SqlDatabaseAccess Access, bool ReadOnly)
{
    public override string ToString() => $"{Access}{(ReadOnly ? " readonly" : string.Empty)}";
}
