using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Subnet selection (digest §3.4, Kea's CfgSubnets6::selectSubnet) and the <c>subnet6_select</c>
/// hook point, which may choose another configured subnet, none (SKIP), drop or park the packet.
/// </summary>
internal sealed class SubnetSelectionStage(PipelineServices services, HookInvoker hooks)
{
    /// <summary>Selects the subnet into <see cref="ProcessingContext.Subnet"/>; false when a callout dropped the packet.</summary>
    public ValueTask<bool> SelectAsync(ProcessingContext ctx)
    {
        ctx.Subnet = Select(ctx.Query, ctx.Runtime);

        // The label is a new string per call: built only when the line is written.
        if (services.Log.IsEnabled(LogLevel.Debug))
        {
            if (ctx.Subnet is { } selected)
            {
                PipelineLog.SubnetSelected(services.Log, ctx.Query.Label, selected.Id, selected.Prefix);
            }
            else
            {
                PipelineLog.SubnetSelectionFailed(services.Log, ctx.Query.Label);
            }
        }

        if (!hooks.HasCallouts(HookPoints.Subnet6Select))
        {
            return new ValueTask<bool>(true);
        }

        return hooks.CallParkableAsync(
            HookPoints.Subnet6Select,
            ctx,
            this,
            static (handle, c) =>
            {
                var views = ConfigViews.Of(c.Runtime.Config);
                handle.SetArgument("query6", c.Query);
                handle.SetArgument("subnet6", views.Of(c.Subnet));
                handle.SetArgument("subnet6collection", views.Subnets);
                var runtime = c.Runtime;
                handle.ArgumentCheck = h => KnownSubnet(h, runtime);
            },
            static (handle, status, c, self) => self.ReadBack(handle, status, c));
    }

    /// <summary>
    /// A subnet6_select callout may pick any configured subnet (or none); one that is not configured (made up, or
    /// left over from an earlier configuration) is an unusable argument and the packet is dropped. Kea uses whatever
    /// the callout set.
    /// </summary>
    private static string? KnownSubnet(CalloutHandle handle, ServerRuntime runtime) =>
        handle.TryGetArgument<SubnetView>("subnet6", out var chosen) && chosen is not null && runtime.FindSubnet(chosen.Id) is null
            ? $"subnet6 {chosen} is not a configured subnet"
            : null;

    private void ReadBack(CalloutHandle handle, NextStep status, ProcessingContext ctx)
    {
        if (handle.TryGetArgument<Dhcp6Packet>("query6", out var query) && query is not null)
        {
            ctx.Query = query;
        }

        if (status == NextStep.Skip)
        {
            services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_SUBNET6_SELECT_SKIP"), "{Label}: no subnet was selected, because a callout set the next skip flag", ctx.Query.Label);
            ctx.Subnet = null;
            return;
        }

        if (handle.TryGetArgument<SubnetView>("subnet6", out var chosen) && chosen?.Id != ctx.Subnet?.Id)
        {
            // The callout names a subnet by its id; only a configured subnet can serve the client, anything else is ignored.
            if (chosen is null)
            {
                ctx.Subnet = null;
            }
            else if (ctx.Runtime.FindSubnet(chosen.Id) is { } configured)
            {
                ctx.Subnet = configured;
            }
            else
            {
                services.Log.LogWarning(new EventId(0, "DHCP6_HOOK_SUBNET6_SELECT_INVALID"), "{Label}: a subnet6_select callout returned {Subnet}, which is not configured; ignored", ctx.Query.Label, chosen);
            }
        }
    }

    /// <summary>
    /// Picks the subnet for a query. A query counts as relayed for selection only when a relay
    /// gave a usable link-address or an Interface-ID; then the Interface-ID of the relay closest
    /// to the client is matched against <c>interface-id</c>, else that link-address against
    /// <c>relay.ip-addresses</c> (the subnet's own, or its shared network's when it has none),
    /// else against the subnet prefixes. Direct queries go by receiving interface, then by source
    /// address. Subnets are tried in id order and must accept the client's classes.
    /// </summary>
    public static Subnet6? Select(Dhcp6Packet query, ServerRuntime runtime)
    {
        var subnets = runtime.SubnetsById;
        var classes = query.Classes;
        var link = query.FirstRelayLinkAddress();
        var interfaceId = query.IsRelayed ? query.InterfaceId() : null;
        if (link is null && interfaceId is null)
        {
            return SelectByInterface(subnets, query.InterfaceName, classes)
                ?? SelectByAddress(subnets, query.RemoteAddress, classes, isRelayAddress: false);
        }

        Subnet6? selected = null;
        if (interfaceId is not null)
        {
            selected = SelectByInterfaceId(subnets, interfaceId, classes);
        }

        return selected ?? SelectByAddress(subnets, link ?? Ipv6Address.Any, classes, isRelayAddress: true);
    }

    // Indexed loops: foreach over an IReadOnlyList boxes its enumerator, once per packet.
    private static Subnet6? SelectByInterface(IReadOnlyList<Subnet6> subnets, string interfaceName, IReadOnlySet<string> classes)
    {
        if (interfaceName.Length == 0)
        {
            return null;
        }

        for (var i = 0; i < subnets.Count; i++)
        {
            var subnet = subnets[i];
            if (subnet.Interface == interfaceName && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static Subnet6? SelectByInterfaceId(IReadOnlyList<Subnet6> subnets, byte[] interfaceId, IReadOnlySet<string> classes)
    {
        for (var i = 0; i < subnets.Count; i++)
        {
            var subnet = subnets[i];
            if (subnet.InterfaceId is { } configured && configured.AsSpan().SequenceEqual(interfaceId) && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static Subnet6? SelectByAddress(IReadOnlyList<Subnet6> subnets, Ipv6Address address, IReadOnlySet<string> classes, bool isRelayAddress)
    {
        if (isRelayAddress)
        {
            for (var i = 0; i < subnets.Count; i++)
            {
                var subnet = subnets[i];
                // Kea looks at the shared network's relay list only when the subnet has none of its own.
                var relays = subnet.RelayAddresses.Count > 0 ? subnet.RelayAddresses : subnet.SharedNetwork?.RelayAddresses;
                if (relays is not null && Contains(relays, address) && subnet.ClientSupported(classes))
                {
                    return subnet;
                }
            }
        }

        if (address.IsUnspecified)
        {
            return null;
        }

        for (var i = 0; i < subnets.Count; i++)
        {
            var subnet = subnets[i];
            if (subnet.Prefix.Contains(address) && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<Ipv6Address> addresses, Ipv6Address address)
    {
        for (var i = 0; i < addresses.Count; i++)
        {
            if (addresses[i] == address)
            {
                return true;
            }
        }

        return false;
    }
}
