using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuidBlockList;
using LeaseNotifier;
using LifetimePolicy;
using OptionInjector;
using PacketCapture;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>The examples in examples/hooks, run through the whole pipeline.</summary>
public sealed class ExampleLibraryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static Dhcp6Message Request() => Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);

    [Fact]
    public void LifetimePolicyAppliesOnAllocationRenewAndRebind()
    {
        using var h = new PipelineHarness();
        h.Hooks.LoadInProcess(new LifetimePolicyLibrary(), "LifetimePolicy", Json("""{"valid-lifetime": 900, "preferred-lifetime": 600}"""));
        var first = h.Exchange(Request()).Reply!;
        var address = AddressOf(first)!;
        Assert.Equal((600u, 900u), (address.PreferredLifetime, address.ValidLifetime));
        Assert.Equal(300u, Ia(first).T1); // T1 follows the new preferred lifetime
        var renewed = h.Exchange(Create(MessageType.Renew, address: address.Address, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(900u, AddressOf(renewed)!.ValidLifetime);
        Assert.Equal(900u, h.Store.Get(address.Address)!.ValidLifetime);
    }

    [Fact]
    public void LifetimePolicyRejectsPreferredAboveValid()
    {
        using var h = new PipelineHarness();
        Assert.Throws<Pukeko.Server.Hooks.HookLoadException>(() => h.Hooks.LoadInProcess(new LifetimePolicyLibrary(), "LifetimePolicy", Json("""{"valid-lifetime": 100, "preferred-lifetime": 600}""")));
    }

    [Fact]
    public void OptionInjectorAddsOptionsToEveryReply()
    {
        using var h = new PipelineHarness();
        h.Hooks.LoadInProcess(new OptionInjectorLibrary(), "OptionInjector", Json("""{"options": [{"code": 23, "data": "20010db8000000000000000000000053"}, {"code": 2, "data": "00"}]}"""));
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.Equal(16, reply.Options.Get(OptionCode.DnsServers)!.GetData().Length);
        Assert.Single(reply.Options.GetAll(OptionCode.ServerId)); // present already: left alone
    }

    [Fact]
    public async Task LeaseNotifierPostsEachCommittedLeaseBeforeTheReplyGoes()
    {
        var port = LoopbackPorts.Free();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var h = new PipelineHarness();
        h.Hooks.LoadInProcess(new LeaseNotifierLibrary(), "LeaseNotifier", Json($$"""{"url": "http://127.0.0.1:{{port}}/leases", "timeout-ms": 3000}"""));
        Assert.Null(h.Exchange(Request()).Datagram); // parked while the POST is in flight
        var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var body = JsonNode.Parse(context.Request.InputStream)!;
        Assert.Null(h.NextParkedReply(200)); // not before the endpoint answers
        context.Response.StatusCode = 204;
        context.Response.Close();
        var reply = await Task.Run(() => h.NextParkedReply());
        Assert.Equal(AddressOf(reply!)!.Address.ToString(), body["address"]!.GetValue<string>());
        Assert.Equal("committed", body["event"]!.GetValue<string>());
    }

    [Fact]
    public async Task LeaseNotifierSendsTheReplyWhenTheEndpointDoesNotAnswerInTime()
    {
        var port = LoopbackPorts.Free();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var h = new PipelineHarness();
        h.Hooks.LoadInProcess(new LeaseNotifierLibrary(), "LeaseNotifier", Json($$"""{"url": "http://127.0.0.1:{{port}}/leases", "timeout-ms": 300}"""));
        var watch = Stopwatch.StartNew();
        h.Exchange(Request());
        Assert.NotNull(await Task.Run(() => h.NextParkedReply(15_000)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task DuidBlockListDropsBlockedClientsAndIsEditedByCommand()
    {
        using var h = new PipelineHarness();
        var duid = Convert.ToHexString(ClientDuid.Bytes);
        h.Hooks.LoadInProcess(new DuidBlockListLibrary(), "DuidBlockList", Json($$"""{"duids": ["{{duid}}"]}"""));
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Contains("block-list-remove", h.Hooks.CommandNames);
        Assert.True(h.Hooks.TryGetHandler("block-list-remove", out var remove));
        var answer = await remove!(new JsonObject { ["command"] = "block-list-remove", ["arguments"] = new JsonObject { ["duid"] = duid } }, CancellationToken.None);
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.True(h.Hooks.TryGetHandler("block-list-add", out var add));
        await add!(new JsonObject { ["command"] = "block-list-add", ["arguments"] = new JsonObject { ["duid"] = duid.ToLowerInvariant() } }, CancellationToken.None);
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.True(h.Hooks.TryGetHandler("block-list-get", out var get));
        var list = await get!(new JsonObject { ["command"] = "block-list-get" }, CancellationToken.None);
        Assert.Equal(duid.ToLowerInvariant(), list["arguments"]!["duids"]![0]!.GetValue<string>());
    }

    [Fact]
    public void PacketCaptureWritesAPcapThatTcpdumpReads()
    {
        var file = Path.Combine(_dir.Path, "dhcp6.pcap");
        using (var h = new PipelineHarness())
        {
            h.Hooks.LoadInProcess(new PacketCaptureLibrary(), "PacketCapture", Json($$"""{"file": "{{file}}"}"""));
            h.Exchange(Create(MessageType.Solicit));
            h.Exchange(Request());
        }

        var bytes = File.ReadAllBytes(file);
        Assert.Equal(0xa1b2c3d4u, BitConverter.ToUInt32(bytes, 0));
        using var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-n", "-r", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = tcpdump.StandardOutput.ReadToEnd();
        tcpdump.WaitForExit();
        Assert.Equal(0, tcpdump.ExitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("dhcp6 solicit", lines[0]);
        Assert.Contains("dhcp6 advertise", lines[1]);
        Assert.Contains("dhcp6 request", lines[2]);
        Assert.Contains("dhcp6 reply", lines[3]);
    }
}
