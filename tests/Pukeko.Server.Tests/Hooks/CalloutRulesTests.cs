using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>Kea's calling rules (digest §1.1, §1.5): order, exceptions, return codes, context, copies.</summary>
public class CalloutRulesTests
{
    private sealed class OrderLibrary(string name, List<string> trace) : HookLibrary
    {
        public override int Load(LibraryHandle handle)
        {
            handle.RegisterCallout(HookNames.Pkt6Receive, _ => { trace.Add(name + "1"); return 0; });
            handle.RegisterCallout(HookNames.Pkt6Receive, _ => { trace.Add(name + "2"); return 0; });
            return 0;
        }
    }

    [Fact]
    public void CalloutsRunInLibraryOrderThenRegistrationOrder()
    {
        using var h = new PipelineHarness();
        var trace = new List<string>();
        h.Hooks.PostCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, _ => { trace.Add("S2"); return 0; });
        h.Hooks.LoadInProcess(new OrderLibrary("A", trace), "a");
        h.Hooks.LoadInProcess(new OrderLibrary("B", trace), "b");
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, _ => { trace.Add("S1"); return 0; });
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(["S1", "A1", "A2", "B1", "B2", "S2"], trace);
    }

    [Fact]
    public void EveryCalloutRunsWhateverTheStatusAndLaterOnesSeeIt()
    {
        using var h = new PipelineHarness();
        NextStep? seenBySecond = null;
        h.On(HookNames.Pkt6Receive, handle => { handle.Status = NextStep.Drop; return 0; });
        h.On(HookNames.Pkt6Receive, handle => { seenBySecond = handle.Status; handle.Status = NextStep.Continue; return 0; });
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(NextStep.Drop, seenBySecond);
    }

    [Fact]
    public void AThrowingCalloutTurnsTheStatusToDropAndTheChainGoesOn()
    {
        using var h = new PipelineHarness();
        var secondCalled = false;
        h.On(HookNames.Pkt6Receive, _ => throw new InvalidOperationException("boom"));
        h.On(HookNames.Pkt6Receive, _ => { secondCalled = true; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.True(secondCalled);
        Assert.Equal(0, h.Statistics.Value("pkt6-processing-failed"));
        // The next packet is served normally once the callout behaves.
        h.Hooks.PreCalloutsLibraryHandle.DeregisterAllCallouts(HookNames.Pkt6Receive);
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void ANonZeroReturnIsLoggedOnly()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Receive, _ => 7);
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void ContextLivesForThePacketAndBelongsToOneLibrary()
    {
        using var h = new PipelineHarness();
        var seen = new List<string>();
        var libraryA = new ContextLibrary("A", seen);
        var libraryB = new ContextLibrary("B", seen);
        h.Hooks.LoadInProcess(libraryA, "a");
        h.Hooks.LoadInProcess(libraryB, "b");
        h.Exchange(Create(MessageType.Solicit));
        h.Exchange(Create(MessageType.Solicit, clientId: Pukeko.Protocol.Duids.Duid.CreateLl(1, [1, 2, 3, 4, 5, 6])));
        Assert.Equal(["A:A", "B:B", "A:A", "B:B"], seen);
    }

    public sealed class ContextLibrary(string name, List<string> seen) : HookLibrary
    {
        public int Pkt6Receive(CalloutHandle handle)
        {
            Assert.False(handle.TryGetContext<string>("owner", out _)); // fresh per packet
            handle.SetContext("owner", name);
            return 0;
        }

        public int Pkt6Send(CalloutHandle handle)
        {
            seen.Add($"{name}:{handle.GetContext<string>("owner")}");
            return 0;
        }
    }

    [Fact]
    public void ContextCreateAndDestroyRunOncePerPacket()
    {
        using var h = new PipelineHarness();
        var trace = new List<string>();
        h.On(HookNames.ContextCreate, _ => { trace.Add("create"); return 0; });
        h.On(HookNames.ContextDestroy, _ => { trace.Add("destroy"); return 0; });
        h.On(HookNames.Pkt6Receive, _ => { trace.Add("receive"); return 0; });
        h.On(HookNames.Pkt6Send, _ => { trace.Add("send"); return 0; });
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(["create", "receive", "send", "destroy"], trace);
        h.On(HookNames.Pkt6Receive, handle => { handle.Status = NextStep.Drop; return 0; });
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(["create", "receive", "send", "destroy", "create", "receive", "destroy"], trace);
    }

    [Fact]
    public void ArgumentsAreTypedExactly()
    {
        var handle = new CalloutHandle();
        handle.SetArgument<IReadOnlyList<int>>("list", new List<int> { 1 });
        handle.SetArgument("zeta", 1);
        handle.SetArgument("alpha", "a");
        Assert.Equal(["alpha", "list", "zeta"], handle.ArgumentNames);
        Assert.Throws<InvalidCastException>(() => handle.GetArgument<List<int>>("list"));
        Assert.Throws<InvalidCastException>(() => handle.GetArgument<long>("zeta"));
        Assert.Throws<KeyNotFoundException>(() => handle.GetArgument<int>("missing"));
        Assert.Single(handle.GetArgument<IReadOnlyList<int>>("list"));
        Assert.True(handle.DeleteArgument("zeta"));
        Assert.Equal(["alpha", "list"], handle.ArgumentNames);
    }

    [Fact]
    public void AnEditedConfiguredOptionDoesNotReachTheNextClient()
    {
        byte[] dns = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53];
        using var h = new PipelineHarness(configure: b => b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", dns, false, false)));
        var edit = true;
        h.On(HookNames.Pkt6Send, handle =>
        {
            if (edit)
            {
                // Typed as the packet parser types it, wherever it came from.
                var option = handle.GetArgument<Dhcp6Packet>("response6").Message.Options.Get<AddressListOption>(OptionCode.DnsServers)!;
                option.Addresses[0] = Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8::54");
            }

            return 0;
        });
        var first = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;
        Assert.Equal(0x54, first.Options.Get(OptionCode.DnsServers)!.GetData()[15]);
        edit = false;
        var second = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;
        Assert.Equal(0x53, second.Options.Get(OptionCode.DnsServers)!.GetData()[15]);
    }

    [Fact]
    public void TurningCopyingOffExposesTheSharedConfiguredOption()
    {
        byte[] dns = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53];
        using var h = new PipelineHarness(configure: b => b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", dns, false, false)));
        bool? shared = null;
        h.On(HookNames.Pkt6Send, handle =>
        {
            var response = handle.GetArgument<Dhcp6Packet>("response6");
            response.CopyRetrievedOptions = false;
            var option = response.Message.Options.Get(OptionCode.DnsServers)!;
            shared = ReferenceEquals(h.Runtime.GlobalOptions.Find(OptionCode.DnsServers)!.Option, option);
            return 0;
        });
        h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers));

        // Asserted outside the callout: an exception inside one is caught and logged, not failed.
        Assert.True(shared);
    }

    [Fact]
    public void CopyOnRetrieveCoversRelayOptionsAndEnumeration()
    {
        var shared = new RawOption(OptionCode.InterfaceId, [1, 2, 3]);
        var packet = new Dhcp6Packet(new Dhcp6Message(MessageType.Reply, 1));
        packet.Message.Options.Add(shared);
        packet.Relays.Add(new RelayLayer());
        packet.Relays[0].Options.Add(shared);
        packet.CopyRetrievedOptions = true;
        foreach (var option in packet.Message.Options)
        {
            Assert.NotSame(shared, option);
        }

        Assert.NotSame(shared, packet.Relays[0].Options.Get(OptionCode.InterfaceId));
        Assert.NotSame(shared, packet.Message.Options[0]);
        packet.CopyRetrievedOptions = false;
        var copy = packet.Message.Options[0];
        Assert.Same(copy, packet.Message.Options[0]);
    }

    [Fact]
    public void TimingStatisticCountsCalloutsPerHookAndLibrary()
    {
        using var h = new PipelineHarness();
        var hooks = new HooksManager(statistics: h.Statistics);
        h.Processor.Hooks = hooks;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, _ => 0);
        h.Exchange(Create(MessageType.Solicit));
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(2, h.Statistics.Value("hooks[pkt6_receive].library[0].callouts"));
        Assert.True(h.Statistics.Contains("hooks[pkt6_receive].library[0].callout-time-us"));
    }

    [Fact]
    public void UnknownHookNamesAndAsyncCalloutsOnNonParkingHooksAreRefused()
    {
        using var hooks = new HooksManager();
        Assert.Throws<ArgumentException>(() => hooks.PreCalloutsLibraryHandle.RegisterCallout("pkt4_receive", _ => 0));
        Assert.Throws<ArgumentException>(() => hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Pkt6Receive, new AsyncCallout(_ => ValueTask.FromResult(0))));
    }

    [Fact]
    public void Dhcp6SrvConfiguredCanRejectTheConfiguration()
    {
        using var hooks = new HooksManager();
        var config = new DhcpConfigBuilder().Build();
        Assert.Null(hooks.CallSrvConfigured(config));
        IReadOnlyList<string>? names = null;
        var error = "";
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Dhcp6SrvConfigured, handle =>
        {
            names = handle.ArgumentNames;
            var view = handle.GetArgument<Pukeko.Hooks.Configuration.ServerConfig>("server_config");
            Assert.Equal(config.Subnets.Select(s => s.Id), view.Subnets.Select(s => s.Id));
            Assert.Equal(JsonValueKind.Object, handle.GetArgument<JsonElement>("json_config").ValueKind);
            Assert.Equal(handle.GetArgument<JsonElement>("json_config").GetRawText(), view.Document.GetRawText());
            handle.SetArgument("error", error);
            handle.Status = NextStep.Drop;
            return 0;
        });
        using var network = new Pukeko.Server.Control.NetworkState(TimeProvider.System);
        Assert.Equal("unknown error", hooks.CallSrvConfigured(config, network));
        error = "user explicitly configured me to fail";
        Assert.Equal(error, hooks.CallSrvConfigured(config, network));
        Assert.Equal(["error", "json_config", "network_state", "server_config"], names);
    }

    [Fact]
    public async Task CommandsRegisteredByLibrariesAreReachableThroughTheSeam()
    {
        using var hooks = new HooksManager();
        hooks.PreCalloutsLibraryHandle.RegisterCommandHandler("block-list-get", (command, _) =>
            ValueTask.FromResult(new JsonObject { ["result"] = 0, ["text"] = command["command"]!.GetValue<string>() }));
        Assert.Equal(["block-list-get"], hooks.CommandNames);
        Assert.False(hooks.TryGetHandler("list-commands", out _));
        Assert.True(hooks.TryGetHandler("block-list-get", out var handler));
        var response = await handler!(new JsonObject { ["command"] = "block-list-get" }, CancellationToken.None);
        Assert.Equal("block-list-get", response["text"]!.GetValue<string>());
    }

    [Fact]
    public void CommandProcessedMayReplaceTheResponse()
    {
        using var hooks = new HooksManager();
        var original = new JsonObject { ["result"] = 0 };
        Assert.Same(original, hooks.CommandProcessed("status-get", null, original));
        IReadOnlyList<string>? names = null;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.CommandProcessed, handle =>
        {
            names = handle.ArgumentNames;
            Assert.Equal("status-get", handle.GetArgument<string>("name"));
            handle.SetArgument("response", new JsonObject { ["result"] = 0, ["text"] = "seen" });
            return 0;
        });
        var replaced = hooks.CommandProcessed("status-get", null, original);
        Assert.Equal("seen", replaced["text"]!.GetValue<string>());
        Assert.Equal(["arguments", "name", "response"], names);
    }
}
