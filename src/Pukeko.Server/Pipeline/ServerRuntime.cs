using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Options;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// One configuration compiled for packet processing: options turned into wire objects, lookups
/// built. Immutable; a reload builds a new one and swaps a single reference, so packets in flight
/// finish with the runtime they started with.
/// </summary>
public sealed class ServerRuntime
{
    private readonly Dictionary<Subnet6, OptionLevel> _subnetOptions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<AddressPool, OptionLevel> _poolOptions = new(ReferenceEqualityComparer.Instance);

    public ServerRuntime(DhcpConfig config, Duid serverDuid, ushort clientPort = 546, ushort serverPort = 547)
    {
        Config = config;
        ServerDuid = serverDuid;
        ServerIdOption = new DuidOption(OptionCode.ServerId, serverDuid);
        ClientPort = clientPort;
        ServerPort = serverPort;
        GlobalOptions = OptionLevel.From(config.GlobalOptions);
        foreach (var subnet in config.Subnets)
        {
            _subnetOptions[subnet] = OptionLevel.From(subnet.Options);
            foreach (var pool in subnet.Pools)
            {
                _poolOptions[pool] = OptionLevel.From(pool.Options);
            }
        }
    }

    public DhcpConfig Config { get; }

    public Duid ServerDuid { get; }

    /// <summary>Shared instance; the writer only reads it.</summary>
    public DuidOption ServerIdOption { get; }

    public ushort ClientPort { get; }

    public ushort ServerPort { get; }

    public OptionLevel GlobalOptions { get; }

    public IReadOnlyList<Subnet6> Subnets => Config.Subnets;

    public OptionLevel OptionsOf(Subnet6 subnet) => _subnetOptions.TryGetValue(subnet, out var level) ? level : OptionLevel.Empty;

    public OptionLevel OptionsOf(AddressPool pool) => _poolOptions.TryGetValue(pool, out var level) ? level : OptionLevel.Empty;

    public Subnet6? FindSubnet(uint id)
    {
        foreach (var subnet in Config.Subnets)
        {
            if (subnet.Id == id)
            {
                return subnet;
            }
        }

        return null;
    }
}
