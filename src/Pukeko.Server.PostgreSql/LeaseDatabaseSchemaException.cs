namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The database does not hold a lease schema this server speaks (missing, or another Kea version's). Pukeko
/// never creates or alters tables itself: the operator runs <c>kea-admin db-init</c> or <c>db-upgrade</c>.
/// </summary>
internal sealed class LeaseDatabaseSchemaException(string message, Exception? inner = null) : Exception(message, inner);
