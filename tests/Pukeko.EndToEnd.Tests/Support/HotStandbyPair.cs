namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Two <c>pukeko-dhcp6</c> in an <see cref="HaLab"/>, each started from the hot-standby configuration of
/// <see cref="HighAvailabilityTests.PairConfig"/> (server 1 the primary, server 2 the standby) with a test's own
/// changes, and the control commands tests ask of them, by server number.
/// </summary>
internal sealed class HotStandbyPair : IDisposable
{
    public HaLab Lab { get; } = new();

    /// <summary>Starts server 1 or 2; each change replaces text that must be in the configuration.</summary>
    public ServerProcess Start(int server, params (string From, string To)[] changes)
    {
        var config = HighAvailabilityTests.PairConfig
            .Replace("{this}", "server" + server, StringComparison.Ordinal)
            .Replace("{address}", Address(server), StringComparison.Ordinal);
        foreach (var (from, to) in changes)
        {
            Assert.Contains(from, config, StringComparison.Ordinal);
            config = config.Replace(from, to, StringComparison.Ordinal);
        }

        return ServerProcess.Start(Namespace(server), Lab.ServerInterface, config);
    }

    public string Namespace(int server) => server == 1 ? Lab.Server1Namespace : Lab.Server2Namespace;

    public static string Address(int server) => server == 1 ? HaLab.Server1Address : HaLab.Server2Address;

    public string? State(int server) => HaControl.HaState(Namespace(server), Address(server));

    public long Stat(int server, string name) => HaControl.Statistic(Namespace(server), Address(server), name);

    public List<string> LeaseLines(int server) => HaControl.AllLeases(Namespace(server), Address(server));

    /// <summary>Full exchanges for <paramref name="count"/> new clients from the lab's client namespace.</summary>
    public PerfdhcpReport Clients(int count, string baseMac, Xunit.Abstractions.ITestOutputHelper output) =>
        Perfdhcp.FreshClients(Lab.ClientNamespace, Lab.ClientInterface, count, baseMac, output);

    public void Dispose() => Lab.Dispose();
}
