namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// End-to-end tests run one at a time: each builds its own namespaces, but two DHCP clients and
/// servers starting together would only compete for the machine's two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection : ICollectionFixture<CreatedDirectoriesCleanup>
{
    public const string Name = "end-to-end";
}

/// <summary>Removes the servers' private directories once every test of the collection has run.</summary>
public sealed class CreatedDirectoriesCleanup : IDisposable
{
    public void Dispose() => Support.ServerProcess.RemoveCreatedDirectories();
}
