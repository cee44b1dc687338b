using System.Runtime.CompilerServices;
using System.Text.Json;
using Pukeko.Hooks.Configuration;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Options;
using Pukeko.Server.Reservations;
using AddressPoolView = Pukeko.Hooks.Subnets.AddressPool6;
using HostView = Pukeko.Hooks.Hosts.Host6;
using LifetimeView = Pukeko.Hooks.Subnets.Lifetime;
using NetworkView = Pukeko.Hooks.Subnets.SharedNetwork6;
using PrefixPoolView = Pukeko.Hooks.Subnets.PrefixPool6;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;
using ViewIdentifierType = Pukeko.Hooks.Hosts.HostIdentifierType;

namespace Pukeko.Server.Hooks.Views;

/// <summary>
/// One configuration as callouts see it: read-only views of its subnets, shared networks, reservations and the
/// configuration itself, built once per configuration (on first use) and shared by every packet. Options in them
/// are typed as the packet parser types them, the same as in replies, and are copied whenever a callout reads one.
/// </summary>
internal sealed class ConfigViews
{
    private static readonly ConditionalWeakTable<DhcpConfig, ConfigViews> Cache = [];

    private readonly Dictionary<Subnet6, SubnetView> _subnets = new(ReferenceEqualityComparer.Instance);

    private readonly Protocol.Options.Definitions.OptionDefinitionSet _definitions;

    private ConfigViews(DhcpConfig config)
    {
        var definitions = _definitions = config.OptionDefinitions;
        var userContexts = UserContexts(config.Source);
        var views = new List<SubnetView>(config.Subnets.Count);
        foreach (var subnet in config.Subnets)
        {
            var view = ToView(subnet, definitions, userContexts.Subnets.TryGetValue(subnet.Prefix, out var context) ? context : null);
            _subnets[subnet] = view;
            views.Add(view);
        }

        Subnets = views;
        Server = new ServerConfig
        {
            Document = config.Source,
            Subnets = views,
            SharedNetworks = [.. config.SharedNetworks.Select(n => ToView(n, definitions, (userContexts.Networks.TryGetValue(n.Name, out var context) ? context : (JsonElement?)null)))],
            Options = Typed(config.GlobalOptions, definitions),
            Reservations = [.. config.GlobalReservations.Select(h => ToView(h, definitions))],
            ClientClasses = [.. config.ClientClasses.Select(c => c.Name)],
            ServerTag = config.ServerTag,
            DeclineProbationPeriod = config.DeclineProbationPeriod,
        };
    }

    /// <summary>Every subnet, in configuration order (<c>subnet6collection</c>).</summary>
    public IReadOnlyList<SubnetView> Subnets { get; }

    /// <summary>The configuration (<c>server_config</c>).</summary>
    public ServerConfig Server { get; }

    /// <summary>The views of <paramref name="config"/>.</summary>
    public static ConfigViews Of(DhcpConfig config) => Cache.GetValue(config, static c => new ConfigViews(c));

    /// <summary>The view of a subnet of this configuration; null for null.</summary>
    public SubnetView? Of(Subnet6? subnet) => subnet is null ? null : _subnets.GetValueOrDefault(subnet) ?? ToView(subnet, _definitions, null);

    /// <summary>The options of one level as a packet would carry them: dhcp6-space ones typed, vendor ones in one option 17 per enterprise.</summary>
    public static IReadOnlyList<DhcpOption> Typed(IReadOnlyList<OptionDescriptor> descriptors, Protocol.Options.Definitions.OptionDefinitionSet definitions)
    {
        if (descriptors.Count == 0)
        {
            return [];
        }

        var level = OptionLevel.From(descriptors, definitions);
        var options = new List<DhcpOption>(level.Options.Count + level.VendorOptions.Count);
        options.AddRange(level.Options.Select(o => o.Option));
        foreach (var (enterprise, subOptions) in level.VendorOptions.OrderBy(p => p.Key))
        {
            var vendor = new VendorOptsOption(enterprise);
            foreach (var sub in subOptions)
            {
                vendor.Options.Add(sub.Option);
            }

            options.Add(vendor);
        }

        return options;
    }

    private static SubnetView ToView(Subnet6 subnet, Protocol.Options.Definitions.OptionDefinitionSet definitions, JsonElement? userContext) => new()
    {
        Id = subnet.Id,
        Prefix = subnet.Prefix,
        Pools = [.. subnet.Pools.Select(p => new AddressPoolView { First = p.First, Last = p.Last, PoolId = p.PoolId, Options = Typed(p.Options, definitions), ClientClasses = p.ClientClasses })],
        PdPools = [.. subnet.PdPools.Select(p => new PrefixPoolView { Prefix = p.Prefix, DelegatedLength = p.DelegatedLength, ExcludedPrefix = p.ExcludedPrefix, PoolId = p.PoolId, Options = Typed(p.Options, definitions), ClientClasses = p.ClientClasses })],
        ValidLifetime = new LifetimeView(subnet.ValidLifetime.Min, subnet.ValidLifetime.Default, subnet.ValidLifetime.Max),
        PreferredLifetime = new LifetimeView(subnet.PreferredLifetime.Min, subnet.PreferredLifetime.Default, subnet.PreferredLifetime.Max),
        RenewTimer = subnet.RenewTimer,
        RebindTimer = subnet.RebindTimer,
        RapidCommit = subnet.RapidCommit,
        Interface = subnet.Interface,
        ClientClasses = subnet.ClientClasses,
        Options = Typed(subnet.Options, definitions),
        Reservations = [.. subnet.Reservations.Select(h => ToView(h, definitions))],
        UserContext = userContext,
        SharedNetworkName = subnet.SharedNetwork?.Name,
    };

    private static NetworkView ToView(SharedNetwork6 network, Protocol.Options.Definitions.OptionDefinitionSet definitions, JsonElement? userContext) => new()
    {
        Name = network.Name,
        SubnetIds = [.. network.Subnets.Select(s => s.Id)],
        Interface = network.Interface,
        ClientClasses = network.ClientClasses,
        Options = Typed(network.Options, definitions),
        UserContext = userContext,
    };

    private static HostView ToView(HostReservation host, Protocol.Options.Definitions.OptionDefinitionSet definitions) => new()
    {
        IdentifierType = host.IdentifierType switch
        {
            HostIdentifierType.HwAddress => ViewIdentifierType.HwAddress,
            HostIdentifierType.Duid => ViewIdentifierType.Duid,
            _ => ViewIdentifierType.FlexId,
        },
        Identifier = host.Identifier,
        SubnetId = host.SubnetId,
        Addresses = host.IpAddresses,
        Prefixes = host.Prefixes,
        Hostname = host.Hostname,
        ClientClasses = host.ClientClasses,
        Options = Typed(host.Options, definitions),
    };

    /// <summary>
    /// <c>user-context</c> of subnets (by id) and shared networks (by name) from the document: the parser validates
    /// and then ignores it, as Kea's server does, so the document is where it lives.
    /// </summary>
    /// <summary>
    /// The user contexts written in the document, subnets' by their prefix (unique in a configuration): a subnet
    /// written without an <c>id</c> gets its id only when the configuration is resolved, and keeps its context.
    /// </summary>
    private static (Dictionary<Ipv6Prefix, JsonElement> Subnets, Dictionary<string, JsonElement> Networks) UserContexts(JsonElement document)
    {
        var subnets = new Dictionary<Ipv6Prefix, JsonElement>();
        var networks = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("Dhcp6", out var dhcp6) || dhcp6.ValueKind != JsonValueKind.Object)
        {
            return (subnets, networks);
        }

        AddSubnets(dhcp6);
        if (dhcp6.TryGetProperty("shared-networks", out var shared) && shared.ValueKind == JsonValueKind.Array)
        {
            foreach (var network in shared.EnumerateArray())
            {
                if (network.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (network.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    && network.TryGetProperty("user-context", out var context) && context.ValueKind == JsonValueKind.Object)
                {
                    networks[name.GetString()!] = context;
                }

                AddSubnets(network);
            }
        }

        return (subnets, networks);

        void AddSubnets(JsonElement scope)
        {
            if (!scope.TryGetProperty("subnet6", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var subnet in list.EnumerateArray())
            {
                if (subnet.ValueKind == JsonValueKind.Object
                    && subnet.TryGetProperty("subnet", out var text) && text.ValueKind == JsonValueKind.String
                    && Ipv6Prefix.TryParse(text.GetString()!.Trim(), out var prefix, out _)
                    && subnet.TryGetProperty("user-context", out var context) && context.ValueKind == JsonValueKind.Object)
                {
                    // Host bits are cleared as the subnet parser clears them.
                    subnets[new Ipv6Prefix(prefix.First, prefix.Length)] = context;
                }
            }
        }
    }
}
