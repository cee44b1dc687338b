using System.Text.Json;
using Pukeko.Hooks.Hosts;
using Pukeko.Hooks.Subnets;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Configuration;

/// <summary>
/// A callout's read-only view of the configuration being applied (<c>server_config</c> in
/// <c>dhcp6_srv_configured</c>, Kea's <c>SrvConfig</c>): its subnets, shared networks, global options and
/// reservations as views, and the whole document for anything else.
/// </summary>
public sealed class ServerConfig
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;
    private readonly IReadOnlyList<Subnet6> _subnets = [];
    private readonly Dictionary<uint, Subnet6> _subnetsById = [];

    /// <summary>The whole <c>{"Dhcp6": {...}}</c> document as given (comments stripped, includes expanded); the same as <c>json_config</c>.</summary>
    public required JsonElement Document { get; init; }

    /// <summary>Every subnet, shared networks' members included, in configuration order.</summary>
    public IReadOnlyList<Subnet6> Subnets
    {
        get => _subnets;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _subnets = value;
            _subnetsById = [];
            foreach (var subnet in value)
            {
                _subnetsById.TryAdd(subnet.Id, subnet);
            }
        }
    }

    /// <summary><c>shared-networks</c>.</summary>
    public IReadOnlyList<SharedNetwork6> SharedNetworks { get; init; } = [];

    /// <summary>The global <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <summary>The global <c>reservations</c>.</summary>
    public IReadOnlyList<Host6> Reservations { get; init; } = [];

    /// <summary>The names of the <c>client-classes</c>, in evaluation order.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>server-tag</c>.</summary>
    public string ServerTag { get; init; } = string.Empty;

    /// <summary><c>decline-probation-period</c> in seconds.</summary>
    public uint DeclineProbationPeriod { get; init; }

    /// <summary>The subnet with <paramref name="id"/>, or null.</summary>
    /// <param name="id">A subnet id.</param>
    /// <returns>The subnet, or null.</returns>
    public Subnet6? FindSubnet(uint id) => _subnetsById.GetValueOrDefault(id);
}
