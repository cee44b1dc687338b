using System.Text.Json;
using Pukeko.Hooks;
using Pukeko.Hooks.Configuration;
using Pukeko.Hooks.Leases;
using Pukeko.Hooks.Subnets;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;
using EngineNetworkState = Pukeko.Server.Control.NetworkState;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>
/// What callouts get are views from the hooks API (Pukeko.Hooks, Pukeko.Protocol), never the engine's objects:
/// copies that reach the server only through the arguments it reads back.
/// </summary>
public sealed class HookViewTests
{
    private const string ClientDuidText = "00:01:00:01:29:b9:27:00:00:01:02:03:04:05";

    private const string TwoSubnetsInANetwork = """
        "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
        "shared-networks": [ { "name": "floor-1", "user-context": { "site": "north" },
            "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "user-context": { "legal-logging": false, "rack": 7 },
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f", "pool-id": 5 } ],
                  "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 } ],
                  "option-data": [ { "name": "dns-servers", "data": "2001:db8::53, 2001:db8::54" } ],
                  "reservations": [ { "duid": "00:01:00:01:29:b9:27:00:00:01:02:03:04:05", "hostname": "one.example.org" } ] },
                { "id": 2, "subnet": "2001:db8:2::/64", "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] } ] } ]
        """;

    private static bool IsHooksApi(Type type) =>
        type.Assembly == typeof(CalloutHandle).Assembly
        || type.Assembly == typeof(Dhcp6Packet).Assembly
        || type.Assembly == typeof(object).Assembly
        || type.Assembly.GetName().Name!.StartsWith("System.", StringComparison.Ordinal);

    private static IEnumerable<Type> WithGenericArguments(Type type) =>
        [type, .. type.IsGenericType ? type.GetGenericArguments().SelectMany(WithGenericArguments) : []];

    [Fact]
    public void EveryArgumentTypeOfEveryHookPointIsOfTheHooksApi()
    {
        var outside = HookPoints.All
            .SelectMany(p => p.Arguments.SelectMany(a => WithGenericArguments(a.Type).Where(t => !IsHooksApi(t)).Select(t => $"{p.Name}.{a.Name}: {t.FullName}")))
            .ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void WhatTheServerPassesOnThePacketPathIsOfTheHooksApi()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnetsInANetwork);
        var seen = new List<string>();
        foreach (var point in HookPoints.All)
        {
            h.On(point.Name, handle =>
            {
                foreach (var name in handle.ArgumentNames)
                {
                    handle.TryGetArgumentEntry(name, out var declared, out var value);
                    lock (seen)
                    {
                        seen.Add($"{point.Name}.{name}");
                        foreach (var type in WithGenericArguments(declared).Concat(value is null ? [] : WithGenericArguments(value.GetType())))
                        {
                            Assert.True(IsHooksApi(type), $"{point.Name}.{name} is a {type.FullName}");
                        }

                        if (value is System.Collections.IEnumerable items and not string and not byte[])
                        {
                            foreach (var item in items)
                            {
                                Assert.True(IsHooksApi(item.GetType()), $"{point.Name}.{name} holds a {item.GetType().FullName}");
                            }
                        }
                    }
                }

                return 0;
            });
        }

        var address = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!.Address;
        h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));

        Assert.Contains("subnet6_select.subnet6collection", seen);
        Assert.Contains("lease6_select.lease6", seen);
        Assert.Contains("lease6_renew.lease6", seen);
        Assert.Contains("lease6_release.lease6", seen);
        Assert.Contains("leases6_committed.leases6", seen);
        Assert.Contains("pkt6_send.subnet6", seen);
    }

    [Fact]
    public void ALeaseKeptFromLease6SelectAndEditedLaterChangesNothing()
    {
        using var h = new PipelineHarness();
        Lease6? kept = null;
        h.On(HookNames.Lease6Select, handle =>
        {
            kept = handle.GetArgument<Lease6>("lease6");
            return 0;
        });
        h.On(HookNames.Pkt6Send, _ =>
        {
            kept!.ValidLifetime = 1;
            kept.Hostname = "late.example.org";
            return 0;
        });

        var sent = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!;

        Assert.NotEqual(1u, sent.ValidLifetime);
        var stored = h.Store.Get(sent.Address)!;
        Assert.Equal(sent.ValidLifetime, stored.ValidLifetime);
        Assert.Equal(string.Empty, stored.Hostname);
    }

    [Fact]
    public void EditingTheLeasesOfLeases6CommittedChangesNothing()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Leases6Committed, handle =>
        {
            foreach (var lease in handle.GetArgument<IReadOnlyList<Lease6>>("leases6"))
            {
                lease.ValidLifetime = 1;
                lease.Address = Ipv6Address.Parse("2001:db8:1::ffff");
            }

            return 0;
        });

        var sent = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!;

        Assert.NotEqual(1u, sent.ValidLifetime);
        Assert.Equal(sent.ValidLifetime, h.Store.Get(sent.Address)!.ValidLifetime);
        Assert.Null(h.Store.Get(Ipv6Address.Parse("2001:db8:1::ffff")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALeaseEditedInPlaceOrSetBackInLease6RenewIsStored(bool setBack)
    {
        using var h = new PipelineHarness();
        var address = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!.Address;
        h.On(HookNames.Lease6Renew, handle =>
        {
            var lease = handle.GetArgument<Lease6>("lease6");
            if (setBack)
            {
                lease = lease.Clone();
                handle.SetArgument("lease6", lease);
            }

            lease.ValidLifetime = 6000;
            lease.PreferredLifetime = 5000;
            lease.Hostname = "renewed.example.org";
            lease.UserContext = new System.Text.Json.Nodes.JsonObject { ["seen-by"] = "hook" };
            return 0;
        });

        var sent = AddressOf(h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid)).Reply!)!;

        Assert.Equal(6000u, sent.ValidLifetime);
        var stored = h.Store.Get(address)!;
        Assert.Equal(6000u, stored.ValidLifetime);
        Assert.Equal(5000u, stored.PreferredLifetime);
        Assert.Equal("renewed.example.org", stored.Hostname);
        Assert.Equal("""{"seen-by":"hook"}""", stored.UserContext);
    }

    [Fact]
    public void ACalloutThatOnlyReadsALeaseLeavesTheServersLeaseAsItWas()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Lease6Select, handle =>
        {
            _ = handle.GetArgument<Lease6>("lease6").ValidLifetime;
            return 0;
        });
        var sent = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!;
        var stored = h.Store.Get(sent.Address)!;
        Assert.Equal(4000u, stored.ValidLifetime);
        Assert.Null(stored.UserContext);
    }

    [Fact]
    public void SubnetsShowTheirConfigurationAsViews()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnetsInANetwork);
        Subnet6? selected = null;
        IReadOnlyList<Subnet6>? all = null;
        h.On(HookNames.Subnet6Select, handle =>
        {
            selected = handle.GetArgument<Subnet6?>("subnet6");
            all = handle.GetArgument<IReadOnlyList<Subnet6>>("subnet6collection");
            return 0;
        });

        h.Exchange(Create(MessageType.Solicit));

        Assert.Equal(1u, selected!.Id);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:1::/64"), selected.Prefix);
        Assert.Equal("floor-1", selected.SharedNetworkName);
        Assert.Equal("eth0", selected.Interface);
        var pool = Assert.Single(selected.Pools);
        Assert.Equal((Ipv6Address.Parse("2001:db8:1::10"), Ipv6Address.Parse("2001:db8:1::1f"), 5u), (pool.First, pool.Last, pool.PoolId));
        var pd = Assert.Single(selected.PdPools);
        Assert.Equal((Ipv6Prefix.Parse("2001:db8:8::/48"), (byte)56), (pd.Prefix, pd.DelegatedLength));
        Assert.Equal(7, selected.UserContext!.Value.GetProperty("rack").GetInt32());
        Assert.Equal("one.example.org", Assert.Single(selected.Reservations).Hostname);
        Assert.Equal(Pukeko.Hooks.Hosts.HostIdentifierType.Duid, selected.Reservations[0].IdentifierType);
        Assert.Equal(h.Config.Subnets[0].ValidLifetime.Default, selected.ValidLifetime.Default);
        Assert.Equal([1u, 2u], all!.Select(s => s.Id));
        Assert.Null(all![1].UserContext);
    }

    [Fact]
    public void ASubnetsOptionsAreTypedAndEditingThemChangesNoReply()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnetsInANetwork);
        h.On(HookNames.Subnet6Select, handle =>
        {
            var dns = handle.GetArgument<Subnet6?>("subnet6")!.Options.OfType<AddressListOption>().Single(o => o.Code == OptionCode.DnsServers);
            Assert.Equal(2, dns.Addresses.Count);
            dns.Addresses.Clear();
            return 0;
        });

        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;

        Assert.Equal(2, reply.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses.Count);
    }

    [Fact]
    public void Subnet6SelectGoesByTheIdOfTheSubnetTheCalloutNames()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnetsInANetwork);
        h.On(HookNames.Subnet6Select, handle =>
        {
            // A view the callout made itself: only its id counts.
            handle.SetArgument<Subnet6?>("subnet6", new Subnet6 { Id = 2, Prefix = Ipv6Prefix.Parse("::/0") });
            return 0;
        });

        var address = AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address;

        Assert.True(Ipv6Prefix.Parse("2001:db8:2::/64").Contains(address));
    }

    [Fact]
    public void Dhcp6SrvConfiguredSeesTheConfigurationAndMayDisableTheService()
    {
        var config = Configuration.ConfigTest.LoadOk(Configuration.ConfigTest.Dhcp6(TwoSubnetsInANetwork));
        using var hooks = new HooksManager();
        using var network = new EngineNetworkState(TimeProvider.System);
        ServerConfig? seen = null;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Dhcp6SrvConfigured, handle =>
        {
            seen = handle.GetArgument<ServerConfig>("server_config");
            var state = handle.GetArgument<INetworkState>("network_state");
            Assert.True(state.Enabled);
            state.Disable("my-hook", maxPeriod: null);
            return 0;
        });

        Assert.Null(hooks.CallSrvConfigured(config, network));

        Assert.False(network.Enabled);
        Assert.Equal(["my-hook"], network.DisabledBy);
        Assert.Equal([1u, 2u], seen!.Subnets.Select(s => s.Id));
        Assert.Same(seen.Subnets[1], seen.FindSubnet(2));
        var shared = Assert.Single(seen.SharedNetworks);
        Assert.Equal("floor-1", shared.Name);
        Assert.Equal([1u, 2u], shared.SubnetIds);
        Assert.Equal("north", shared.UserContext!.Value.GetProperty("site").GetString());
        var dns = Assert.IsType<AddressListOption>(Assert.Single(seen.Options));
        Assert.Equal([Ipv6Address.Parse("2001:db8::53")], dns.Addresses);
        Assert.Equal(JsonValueKind.Object, seen.Document.GetProperty("Dhcp6").ValueKind);
    }

    /// <summary>The same typed class, wherever the option was configured, so a callout that edits it by type changes the reply.</summary>
    [Theory]
    [InlineData("global")]
    [InlineData("subnet")]
    [InlineData("pool")]
    [InlineData("network")]
    [InlineData("class")]
    [InlineData("reservation")]
    public void AConfiguredDnsServersOptionIsTypedAtEveryLevelAndEditingItInPkt6SendChangesTheReply(string level)
    {
        string At(string where) => where == level ? """ "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ], """ : "";
        using var h = PipelineHarness.FromDhcp6($$"""
            {{At("global")}}
            "client-classes": [ { {{At("class")}} "name": "everyone", "test": "option[1].exists" } ],
            "shared-networks": [ { {{At("network")}} "name": "n", "subnet6": [
                { {{At("subnet")}} "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                  "pools": [ { {{At("pool")}} "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                  "reservations": [ { {{At("reservation")}} "duid": "{{ClientDuidText}}" } ] } ] } ]
            """);
        h.On(HookNames.Pkt6Send, handle =>
        {
            var dns = handle.GetArgument<Dhcp6Packet>("response6").Message.Options.Get<AddressListOption>(OptionCode.DnsServers);
            dns!.Addresses.Add(Ipv6Address.Parse("2001:db8::55"));
            return 0;
        });

        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;

        Assert.Equal(["2001:db8::53", "2001:db8::55"], reply.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses.Select(a => a.ToString()));
    }
}
