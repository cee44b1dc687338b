using System.Text.Json;
using Pukeko.Hooks.Hosts;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Subnets;

/// <summary>
/// A callout's read-only view of one configured subnet, as Kea's <c>Subnet6</c>, with every inherited parameter
/// already resolved (global, then shared network, then subnet). In <c>subnet6_select</c> a callout picks another
/// subnet by setting <c>subnet6</c> to one of <c>subnet6collection</c> (the server goes by <see cref="Id"/>).
/// </summary>
public sealed class Subnet6
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;

    /// <summary><c>id</c>.</summary>
    public required uint Id { get; init; }

    /// <summary><c>subnet</c>.</summary>
    public required Ipv6Prefix Prefix { get; init; }

    /// <summary><c>pools</c>, in configuration order.</summary>
    public IReadOnlyList<AddressPool6> Pools { get; init; } = [];

    /// <summary><c>pd-pools</c>, in configuration order.</summary>
    public IReadOnlyList<PrefixPool6> PdPools { get; init; } = [];

    /// <summary><c>valid-lifetime</c> with its bounds.</summary>
    public Lifetime ValidLifetime { get; init; }

    /// <summary><c>preferred-lifetime</c> with its bounds.</summary>
    public Lifetime PreferredLifetime { get; init; }

    /// <summary><c>renew-timer</c> (T1), or null when not configured.</summary>
    public uint? RenewTimer { get; init; }

    /// <summary><c>rebind-timer</c> (T2), or null when not configured.</summary>
    public uint? RebindTimer { get; init; }

    /// <summary><c>rapid-commit</c>.</summary>
    public bool RapidCommit { get; init; }

    /// <summary><c>interface</c>, or null.</summary>
    public string? Interface { get; init; }

    /// <summary><c>client-classes</c>: when not empty, only clients in one of them may use the subnet.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary>The subnet's own <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <summary>The subnet's <c>reservations</c>.</summary>
    public IReadOnlyList<Host6> Reservations { get; init; } = [];

    /// <summary><c>user-context</c> as configured, or null.</summary>
    public JsonElement? UserContext { get; init; }

    /// <summary>The name of the shared network the subnet belongs to, or null.</summary>
    public string? SharedNetworkName { get; init; }

    /// <summary>True when <paramref name="address"/> is inside <see cref="Prefix"/> (in a pool or not).</summary>
    /// <param name="address">An address.</param>
    /// <returns>Whether the subnet covers it.</returns>
    public bool InRange(Ipv6Address address) => Prefix.Contains(address);

    /// <inheritdoc/>
    public override string ToString() => $"subnet {Id} {Prefix}";
}
