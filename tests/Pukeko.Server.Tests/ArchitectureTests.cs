using System.Reflection;

namespace Pukeko.Server.Tests;

/// <summary>Layers depend one way: Daemon → Server → Hooks → Protocol (docs/architecture.md).</summary>
public class ArchitectureTests
{
    private static string[] References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Pukeko.", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void ProtocolReferencesNoOtherPukekoAssembly() =>
        Assert.Empty(References(typeof(Pukeko.Protocol.Messages.Dhcp6Message).Assembly));

    [Fact]
    public void HooksReferencesOnlyProtocol() =>
        Assert.All(References(typeof(Pukeko.Hooks.CalloutHandle).Assembly), name => Assert.Equal("Pukeko.Protocol", name));

    [Fact]
    public void ServerReferencesOnlyLowerLayers() =>
        Assert.All(References(typeof(Pukeko.Server.Hosting.Dhcp6Server).Assembly), name => Assert.Contains(name, new[] { "Pukeko.Protocol", "Pukeko.Hooks" }));
}
