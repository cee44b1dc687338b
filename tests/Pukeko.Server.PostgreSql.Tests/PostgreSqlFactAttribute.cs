namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>A fact that needs a real PostgreSQL: skipped, with the reason, only when its binaries are not installed.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (PostgreSqlCluster.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlCluster>
{
    public const string Name = "PostgreSQL";
}
