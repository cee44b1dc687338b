using System.Text.Json;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using Xunit.Abstractions;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// The checked-in allocation budget (bench/allocation-budget.json, issue 10): managed bytes the pipeline
/// allocates per Solicit→Advertise, per Request→Reply committing a new lease, and per Renew→Reply of an
/// existing lease (written, and again soon after: served from the lease cache), averaged over many warm packets. Allocation counts are deterministic, unlike timings,
/// so a change that adds per-packet garbage fails here instead of showing up as GC time under load.
/// </summary>
public sealed class AllocationBudgetTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Steady_state_packets_stay_within_the_allocation_budget(bool withPrefix)
    {
        var budget = AllocationBudget.Load(withPrefix ? "bytes-per-packet-with-ia-pd" : "bytes-per-packet");
        var measured = PipelineAllocations.Measure(withPrefix: withPrefix);
        output.WriteLine($"bytes/packet measured: solicit {measured.Solicit:F0}, request {measured.Request:F0}, renew {measured.Renew:F0}, cached renew {measured.CachedRenew:F0}");
        output.WriteLine($"bytes/packet budget:   solicit {budget.Solicit}, request {budget.Request}, renew {budget.Renew}, cached renew {budget.CachedRenew}");

        var over = new List<string>();
        Check("Solicit->Advertise", measured.Solicit, budget.Solicit);
        Check("Request->Reply (new lease)", measured.Request, budget.Request);
        Check("Renew->Reply (existing lease)", measured.Renew, budget.Renew);
        Check("Renew->Reply (lease from the cache)", measured.CachedRenew, budget.CachedRenew);
        Assert.True(over.Count == 0, $"allocation budget exceeded (bench/allocation-budget.json): {string.Join("; ", over)}");

        void Check(string what, double bytes, long allowed)
        {
            if (bytes > allowed)
            {
                over.Add($"{what} allocates {bytes:F0} bytes per packet, budget {allowed}");
            }
        }
    }

    [Fact]
    public void The_measurement_sees_allocations()
    {
        // Guards the probe itself: a measurement that reads 0 for everything would pass any budget. With a callout
        // registered the pipeline keeps nothing for the next packet (packets, leases, client arrays), so every packet allocates.
        var measured = PipelineAllocations.Measure(packets: 50, prepare: h => Pukeko.Server.Tests.Hooks.HookTestSupport.On(h, Pukeko.Hooks.HookNames.Pkt6Receive, _ => 0));
        Assert.True(measured.Solicit > 0 && measured.Request > 0 && measured.Renew > 0 && measured.CachedRenew > 0, $"{measured}");
    }

    /// <summary>The budget file, copied next to the test assembly from bench/.</summary>
    private sealed record AllocationBudget(long Solicit, long Request, long Renew, long CachedRenew)
    {
        public static AllocationBudget Load(string section)
        {
            var path = Path.Combine(AppContext.BaseDirectory, "allocation-budget.json");
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var bytes = json.RootElement.GetProperty(section);
            return new AllocationBudget(bytes.GetProperty("solicit").GetInt64(), bytes.GetProperty("request").GetInt64(), bytes.GetProperty("renew").GetInt64(), bytes.GetProperty("cached-renew").GetInt64());
        }
    }
}

/// <summary>
/// Drives the real pipeline in-process the way perfdhcp's 4-way exchange does (fresh clients: Solicit,
/// Request with the advertised address, later Renew) against a persisting memfile store and a subnet with reservations, and counts the
/// bytes the current thread allocates. Everything the test itself needs (datagrams, reply copies) is
/// allocated outside the measured loops; the pipeline completes synchronously, so all its allocations
/// are on this thread.
/// </summary>
internal static class PipelineAllocations
{
    public sealed record Result(double Solicit, double Request, double Renew, double CachedRenew);

    /// <param name="withPrefix">Every client also asks for a delegated prefix (an IA_PD beside its IA_NA).</param>
    public static Result Measure(int packets = 2000, int warmup = 300, Action<PipelineHarness>? prepare = null, bool withPrefix = false)
    {
        using var directory = new TempDirectory();
        // Reservations for 50 other clients: every packet looks its client up (DUID and hardware address) and misses.
        var reservations = string.Join(", ", Enumerable.Range(0, 50).Select(k =>
            $$"""{ "duid": "00:03:00:01:aa:bb:cc:dd:{{k / 256:x2}}:{{k % 256:x2}}", "ip-addresses": [ "2001:db8::ff:{{k + 1:x}}" ] }"""));
        using var h = new PipelineHarness(
            Configuration.ConfigTest.LoadOk(Configuration.ConfigTest.Dhcp6($$"""
                "subnet6": [ { "id": 1, "subnet": "2001:db8::/64", "interface": "eth0", "valid-lifetime": 4000, "preferred-lifetime": 3000,
                               "pools": [ { "pool": "2001:db8::1:0 - 2001:db8::ffff:ffff" } ],
                               "pd-pools": [ { "prefix": "3001::", "prefix-len": 32, "delegated-len": 64 } ],
                               "reservations": [ {{reservations}} ] } ]
                """)),
            leaseFile: Path.Combine(directory.Path, "leases.csv"));

        prepare?.Invoke(h);

        // A client's query; after the first, for what the server's last reply gave it.
        Dhcp6Message Query(MessageType type, int client, byte[]? reply, int? length)
        {
            var held = reply is null ? null : Parse(reply, length!.Value);
            var message = ClientMessages.Create(type, address: held is null ? null : ClientMessages.AddressOf(held)!.Address,
                serverId: held is null ? null : PipelineHarness.ServerDuid, clientId: Client(client));
            if (withPrefix)
            {
                var pd = new IaPdOption(2, 0, 0);
                if (held is not null)
                {
                    var prefix = held.Options.Get<IaPdOption>(OptionCode.IaPd)!.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)!;
                    pd.Options.Add(new IaPrefixOption(0, 0, prefix.PrefixLength, prefix.Prefix));
                }

                message.Options.Add(pd);
            }

            return message;
        }
        var clients = warmup + packets;
        var output = new byte[9216];
        var replies = new byte[clients][];
        var lengths = new int[clients];
        for (var i = 0; i < clients; i++)
        {
            replies[i] = new byte[1500];
        }

        var solicits = Datagrams(h, clients, i => Query(MessageType.Solicit, i, null, null));
        var solicit = Run(h, solicits, output, replies, lengths, warmup);

        var requests = Datagrams(h, clients, i => Query(MessageType.Request, i, replies[i], lengths[i]));
        var request = Run(h, requests, output, replies, lengths, warmup);

        // Half-way to T1, as a client renews; long enough that no lease is "just written".
        h.Time.Advance(TimeSpan.FromSeconds(1500));
        var renews = Datagrams(h, clients, i => Query(MessageType.Renew, i, replies[i], lengths[i]));
        var renew = Run(h, renews, output, replies, lengths, warmup);

        // A minute later, well within cache-threshold (0.25 of 4000 s): the lease is handed out again unwritten.
        h.Time.Advance(TimeSpan.FromSeconds(60));
        var cachedRenew = Run(h, renews, output, replies, lengths, warmup);
        return new Result(solicit, request, renew, cachedRenew);
    }

    /// <summary>Runs every datagram (the first <paramref name="warmup"/> unmeasured) and returns the bytes allocated per measured packet.</summary>
    private static double Run(PipelineHarness h, Pukeko.Server.Pipeline.ReceivedDatagram[] datagrams, byte[] output, byte[][] replies, int[] lengths, int warmup)
    {
        for (var i = 0; i < warmup; i++)
        {
            Process(h, datagrams[i], output, replies[i], out lengths[i]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = warmup; i < datagrams.Length; i++)
        {
            Process(h, datagrams[i], output, replies[i], out lengths[i]);
        }

        var after = GC.GetAllocatedBytesForCurrentThread();
        return (after - before) / (double)(datagrams.Length - warmup);
    }

    private static void Process(PipelineHarness h, Pukeko.Server.Pipeline.ReceivedDatagram datagram, byte[] output, byte[] reply, out int length)
    {
        var pending = h.Processor.ProcessAsync(datagram, output);
        if (!pending.IsCompletedSuccessfully || pending.Result is not { Length: > 0 } sent)
        {
            throw new InvalidOperationException("the pipeline did not answer synchronously");
        }

        sent.Buffer.AsSpan(0, sent.Length).CopyTo(reply);
        length = sent.Length;
    }

    private static Pukeko.Server.Pipeline.ReceivedDatagram[] Datagrams(PipelineHarness h, int count, Func<int, Dhcp6Message> message)
    {
        var datagrams = new Pukeko.Server.Pipeline.ReceivedDatagram[count];
        for (var i = 0; i < count; i++)
        {
            datagrams[i] = h.Datagram(Dhcp6Writer.ToArray(message(i)));
        }

        return datagrams;
    }

    private static Pukeko.Protocol.Duids.Duid Client(int i) =>
        Pukeko.Protocol.Duids.Duid.CreateLlt(1, 700_000_000, [0x00, 0x0c, 0x01, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);

    private static Dhcp6Message Parse(byte[] reply, int length)
    {
        var relays = new List<RelayLayer>();
        if (Dhcp6Parser.TryParse(reply.AsSpan(0, length), relays, out var message) != ParseStatus.Ok || message is null)
        {
            throw new InvalidOperationException("unparsable reply");
        }

        return message;
    }
}
