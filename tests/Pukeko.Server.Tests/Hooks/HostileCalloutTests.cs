using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Hosting;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;
using Lease6View = Pukeko.Hooks.Leases.Lease6;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>
/// Issue 15, hostile hooks: a library whose callout throws, blocks (synchronously or asynchronously) past its
/// budget, allocates without bound or corrupts its arguments. Other clients keep being served, the event is
/// logged and counted for that library (<c>hooks.library[n].*</c>), and the packet is dropped where Kea drops it.
/// The cases and outcomes are listed in docs/reliability.md ("Hostile hooks").
/// </summary>
public sealed class HostileCalloutTests
{
    private const string Library = "hostile.dll";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly Duid Victim = Duid.CreateLlt(1, 700_000_000, [0x0a, 0, 0, 0, 0, 1]);
    private static readonly Duid Bystander = Duid.CreateLlt(1, 700_000_000, [0x0a, 0, 0, 0, 0, 2]);

    // The library is the first in hooks-libraries, so its counters are hooks.library[1].*.
    private static string Stat(string name) => LibraryAccounting.Prefix(1) + name;

    private static bool IsVictim(CalloutHandle handle) =>
        handle.TryGetArgument<Dhcp6Packet>("query6", out var query) && query?.Message.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid == Victim;

    private static Dhcp6Message RequestFrom(Duid client) => Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client);

    private static Dhcp6Message? Exchange(PipelineHarness h, Dhcp6Message query) => h.Exchange(query).Reply;

    /// <summary>A harness with the hostile callout loaded as library 1, logging into <paramref name="logs"/>.</summary>
    private static PipelineHarness Harness(string hook, Callout callout, out CapturingLoggers logs, Action<PipelineHarness>? before = null)
    {
        var h = new PipelineHarness();
        before?.Invoke(h);
        logs = new CapturingLoggers();
        h.Processor.Hooks = new HooksManager(logs, h.Statistics);
        h.Hooks.LoadInProcess(new OneCalloutLibrary(hook, callout), Library);
        return h;
    }

    /// <summary>The bystander's Request is answered with an address: the server is still serving.</summary>
    private static void AssertBystanderServed(PipelineHarness h)
    {
        var reply = Exchange(h, RequestFrom(Bystander));
        Assert.NotNull(reply);
        Assert.NotNull(AddressOf(reply!));
    }

    private static void AssertViolation(PipelineHarness h, CapturingLoggers logs, string reasonPart)
    {
        Assert.Equal(1, h.Statistics.Value(Stat("argument-violations")));
        var line = Assert.Single(logs.Entries, e => e.EventName == "HOOKS_CALLOUT_ARGUMENT_INVALID");
        Assert.Contains(Library, line.Message, StringComparison.Ordinal);
        Assert.Contains(reasonPart, line.Message, StringComparison.Ordinal);

        // Kea's getArgument throws on such a value and the packet's processing fails: same statistic here.
        Assert.Equal(1, h.Statistics.Value("pkt6-processing-failed"));
    }

    // ---- a callout that throws -------------------------------------------------------------------------

    [Fact]
    public void A_throwing_pkt6_receive_callout_drops_that_packet_and_is_counted_for_its_library()
    {
        using var h = Harness(HookNames.Pkt6Receive, handle => IsVictim(handle) ? throw new InvalidOperationException("boom") : 0, out var logs);

        // Kea: a callout exception sets DROP, and DROP at pkt6_receive drops the packet.
        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertBystanderServed(h);
        Assert.Equal(1, h.Statistics.Value(Stat("callout-exceptions")));
        var line = Assert.Single(logs.Entries, e => e.EventName == "HOOKS_CALLOUT_EXCEPTION");
        Assert.Contains(Library, line.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Statistics.Value("pkt6-processing-failed"));
    }

    [Fact]
    public void A_throwing_lease6_select_callout_is_counted_but_the_lease_is_still_assigned_as_in_Kea()
    {
        using var h = Harness(HookNames.Lease6Select, handle => IsVictim(handle) ? throw new InvalidOperationException("boom") : 0, out _);

        // Kea's allocation engine honours only SKIP at lease6_select: the DROP an exception sets is ignored.
        var reply = Exchange(h, RequestFrom(Victim));
        Assert.NotNull(AddressOf(reply!));
        AssertBystanderServed(h);
        Assert.Equal(1, h.Statistics.Value(Stat("callout-exceptions")));
    }

    // ---- a callout that allocates without bound --------------------------------------------------------

    [Fact]
    public void A_callout_that_allocates_hundreds_of_megabytes_is_measured_and_other_clients_are_served()
    {
        const int Chunks = 300;
        using var h = Harness(HookNames.Pkt6Receive, handle =>
        {
            if (IsVictim(handle))
            {
                // 300 MiB in 1 MiB chunks it drops at once: bounded in memory, costly in allocation.
                for (var i = 0; i < Chunks; i++)
                {
                    GC.KeepAlive(new byte[1 << 20]);
                }
            }

            return 0;
        }, out _);

        Assert.NotNull(AddressOf(Exchange(h, RequestFrom(Victim))!));
        AssertBystanderServed(h);
        Assert.True(h.Statistics.Value(Stat("allocated-bytes")) >= Chunks * (1L << 20));
    }

    // ---- callouts that corrupt their arguments --------------------------------------------------------

    [Fact]
    public void Pkt6_receive_query6_set_to_null_drops_the_packet()
    {
        using var h = Harness(HookNames.Pkt6Receive, handle =>
        {
            if (IsVictim(handle))
            {
                handle.SetArgument<Dhcp6Packet?>("query6", null);
            }

            return 0;
        }, out var logs);

        // Kea: "Please use the status instead of resetting query!" - a null query6 is dropped.
        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, "'query6' was set to null");
        AssertBystanderServed(h);
    }

    [Fact]
    public void Pkt6_receive_query6_of_another_type_drops_the_packet()
    {
        using var h = Harness(HookNames.Pkt6Receive, handle =>
        {
            if (IsVictim(handle))
            {
                handle.SetArgument("query6", "not a packet");
            }

            return 0;
        }, out var logs);

        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, "'query6' was set as System.String");
        AssertBystanderServed(h);
    }

    [Fact]
    public void Buffer6_receive_query6_set_to_null_drops_the_packet()
    {
        // buffer6_receive has no parsed message yet; the victim is recognised by the one client id it sends.
        var victimBytes = 0;
        using var h = Harness(HookNames.Buffer6Receive, handle =>
        {
            if (Interlocked.Increment(ref victimBytes) == 1)
            {
                handle.SetArgument<Dhcp6Packet?>("query6", null);
            }

            return 0;
        }, out var logs);

        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, "'query6' was set to null");
        AssertBystanderServed(h);
    }

    [Fact]
    public void Subnet6_select_subnet6_of_another_type_or_not_configured_drops_the_packet()
    {
        var turn = 0;
        using var h = Harness(HookNames.Subnet6Select, handle =>
        {
            if (IsVictim(handle))
            {
                if (Interlocked.Increment(ref turn) == 1)
                {
                    handle.SetArgument("subnet6", 42);
                }
                else
                {
                    handle.SetArgument("subnet6", HookTestSupport.SecondSubnetView); // not configured in this harness
                }
            }

            return 0;
        }, out var logs);

        Assert.Null(Exchange(h, RequestFrom(Victim)));
        Assert.Null(Exchange(h, RequestFrom(Victim)));
        Assert.Equal(2, h.Statistics.Value(Stat("argument-violations")));
        Assert.Contains(logs.Entries, e => e.EventName == "HOOKS_CALLOUT_ARGUMENT_INVALID" && e.Message.Contains("is not a configured subnet", StringComparison.Ordinal));
        AssertBystanderServed(h);
        Assert.Empty(h.Store.GetByDuid(Victim.Bytes.ToArray()));
    }

    [Fact]
    public void Lease6_select_lease6_set_to_null_drops_the_packet_and_stores_nothing()
    {
        using var h = Harness(HookNames.Lease6Select, handle =>
        {
            if (IsVictim(handle))
            {
                handle.SetArgument<Lease6View?>("lease6", null);
            }

            return 0;
        }, out var logs);

        // Kea would dereference the null; Pukeko drops the packet.
        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, "'lease6' was set to null");
        Assert.Empty(h.Store.GetByDuid(Victim.Bytes.ToArray()));
        AssertBystanderServed(h);
    }

    public static TheoryData<string, string> SelectCorruptions => new()
    {
        { "subnet", "is for another subnet" },
        { "duid", "is for another client" },
        { "outside-pools", "is outside every pool of subnet 1" },
        { "type", "changed its type" },
    };

    [Theory]
    [MemberData(nameof(SelectCorruptions))]
    public void Lease6_select_lease_that_is_not_this_clients_in_this_subnet_drops_the_packet(string corruption, string reason)
    {
        using var h = Harness(HookNames.Lease6Select, handle =>
        {
            if (IsVictim(handle))
            {
                // Who a lease belongs to cannot be edited in place, only by handing back another lease; its block can.
                var lease = handle.GetArgument<Lease6View>("lease6");
                switch (corruption)
                {
                    case "subnet": handle.SetArgument("lease6", new Lease6View(lease.Type, lease.Address, lease.PrefixLength, lease.Duid, lease.Iaid, 2)); break;
                    case "duid": handle.SetArgument("lease6", new Lease6View(lease.Type, lease.Address, lease.PrefixLength, Bystander, lease.Iaid, lease.SubnetId)); break;
                    case "outside-pools": lease.Address = Ipv6Address.Parse("2001:db8:1::ffff"); break;
                    case "type": handle.SetArgument("lease6", new Lease6View(Pukeko.Hooks.Leases.LeaseType.PD, lease.Address, lease.PrefixLength, lease.Duid, lease.Iaid, lease.SubnetId)); break;
                }
            }

            return 0;
        }, out var logs);

        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, reason);
        Assert.Empty(h.Store.GetByDuid(Victim.Bytes.ToArray()));
        Assert.Empty(h.Store.GetByDuid(Bystander.Bytes.ToArray()));
        AssertBystanderServed(h);
    }

    [Fact]
    public void Lease6_select_moving_the_lease_onto_another_clients_address_never_gives_it_to_two_clients()
    {
        Ipv6Address? taken = null;
        var moved = 0;
        using var h = Harness(HookNames.Lease6Select, handle =>
        {
            if (IsVictim(handle) && taken is { } address && Interlocked.Increment(ref moved) == 1)
            {
                handle.GetArgument<Lease6View>("lease6").Address = address;
            }

            return 0;
        }, out _);

        var bystander = AddressOf(Exchange(h, RequestFrom(Bystander))!)!.Address;
        taken = bystander;

        // Inside the pool, so the callout may choose it (as in Kea); the store refuses a second lease on it and
        // the engine goes on to the next free address, as Kea's failed addLease does.
        var victim = AddressOf(Exchange(h, RequestFrom(Victim))!)!.Address;
        Assert.True(moved >= 1);
        Assert.NotEqual(bystander, victim);
        Assert.Equal(Bystander.Bytes.ToArray(), h.Store.Get(bystander)!.Duid);
        Assert.Equal(0, h.Statistics.Value(Stat("argument-violations")));
    }

    [Fact]
    public void Lease6_renew_lease_moved_to_another_address_drops_the_packet_and_leaves_the_store_alone()
    {
        var corrupt = false;
        using var h = Harness(HookNames.Lease6Renew, handle =>
        {
            if (corrupt && IsVictim(handle))
            {
                var replaced = handle.GetArgument<Lease6View>("lease6").Clone();
                replaced.Address = Ipv6Address.Parse("2001:db8:1::1e");
                handle.SetArgument("lease6", replaced);
            }

            return 0;
        }, out var logs);

        var address = AddressOf(Exchange(h, RequestFrom(Victim))!)!.Address;
        var before = h.Store.Get(address)!;
        corrupt = true;
        Assert.Null(Exchange(h, Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid, clientId: Victim)));
        AssertViolation(h, logs, "changed its block");
        Assert.True(h.Store.Get(address)!.IsSameVersion(before));
        Assert.Null(h.Store.Get(Ipv6Address.Parse("2001:db8:1::1e")));
        AssertBystanderServed(h);
    }

    [Fact]
    public void Lease6_release_lease_given_another_duid_drops_the_packet_and_keeps_the_lease()
    {
        var corrupt = false;
        using var h = Harness(HookNames.Lease6Release, handle =>
        {
            if (corrupt && IsVictim(handle))
            {
                var lease = handle.GetArgument<Lease6View>("lease6");
                handle.SetArgument("lease6", new Lease6View(lease.Type, lease.Address, lease.PrefixLength, Bystander, lease.Iaid, lease.SubnetId));
            }

            return 0;
        }, out var logs);

        var address = AddressOf(Exchange(h, RequestFrom(Victim))!)!.Address;
        corrupt = true;
        Assert.Null(Exchange(h, Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid, clientId: Victim)));
        AssertViolation(h, logs, "is for another client");
        Assert.Equal(Victim.Bytes.ToArray(), h.Store.Get(address)!.Duid);
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
        AssertBystanderServed(h);
    }

    [Fact]
    public void Lease6_decline_lease6_set_to_null_drops_the_packet_and_keeps_the_lease()
    {
        var corrupt = false;
        using var h = Harness(HookNames.Lease6Decline, handle =>
        {
            if (corrupt && IsVictim(handle))
            {
                handle.SetArgument<Lease6View?>("lease6", null);
            }

            return 0;
        }, out var logs);

        var address = AddressOf(Exchange(h, RequestFrom(Victim))!)!.Address;
        corrupt = true;
        Assert.Null(Exchange(h, Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid, clientId: Victim)));
        AssertViolation(h, logs, "'lease6' was set to null");
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
        AssertBystanderServed(h);
    }

    [Theory]
    [InlineData(HookNames.Pkt6Send, true)]
    [InlineData(HookNames.Pkt6Send, false)]
    [InlineData(HookNames.Buffer6Send, true)]
    public void A_send_hooks_response6_set_to_null_or_another_type_drops_the_reply(string hook, bool setNull)
    {
        using var h = Harness(hook, handle =>
        {
            if (IsVictim(handle) || (hook == HookNames.Buffer6Send && handle.GetArgument<Dhcp6Packet>("response6").Message.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid == Victim))
            {
                if (setNull)
                {
                    handle.SetArgument<Dhcp6Packet?>("response6", null);
                }
                else
                {
                    handle.SetArgument("response6", new object());
                }
            }

            return 0;
        }, out var logs);

        Assert.Null(Exchange(h, RequestFrom(Victim)));
        AssertViolation(h, logs, "'response6'");
        AssertBystanderServed(h);
    }

    [Fact]
    public void Leases6_committed_arguments_corrupted_change_nothing_because_they_are_not_read_back()
    {
        using var h = Harness(HookNames.Leases6Committed, handle =>
        {
            if (IsVictim(handle))
            {
                handle.SetArgument<IReadOnlyList<Lease6View>?>("leases6", null);
                handle.SetArgument("deleted_leases6", 7);
            }

            return 0;
        }, out _);

        // Kea passes them in only and never reads them back: the reply goes out.
        Assert.NotNull(AddressOf(Exchange(h, RequestFrom(Victim))!));
        Assert.Equal(0, h.Statistics.Value(Stat("argument-violations")));
        AssertBystanderServed(h);
    }

    // ---- callouts that block past their budget (real sockets and workers) -----------------------------

    [Fact]
    public async Task A_synchronous_callout_over_its_budget_is_logged_and_counted_and_other_clients_are_served_meanwhile()
    {
        using var logs = new CapturingLoggers();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(threads: 1), loggers: logs);
        server.Server.Hooks.LoadInProcess(new OneCalloutLibrary(HookNames.Pkt6Receive, handle =>
        {
            if (IsVictim(handle))
            {
                entered.Set();
                release.Wait(Patience); // cannot be interrupted: .NET has no safe way to abort a thread
            }

            return 0;
        }), Library, calloutBudget: TimeSpan.FromMilliseconds(50));

        try
        {
            await server.SendRequestAsync(Victim);
            Assert.True(entered.Wait(Patience));
            await server.SendRequestAsync(Bystander);

            // The watchdog starts a worker beside the blocked one.
            Assert.Equal([Bystander], await server.ReceiveRepliesAsync(1, Patience));
        }
        finally
        {
            release.Set();
        }

        // As in Kea, a synchronous callout is never timed out: once it returns, its packet is answered.
        Assert.Equal([Victim], await server.ReceiveRepliesAsync(1, Patience));
        Assert.Equal(1, server.Server.Statistics.Value(Stat("budget-overruns")));
        var line = Assert.Single(logs.Entries, e => e.EventName == "HOOKS_CALLOUT_BUDGET_EXCEEDED");
        Assert.Contains(Library, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asynchronous_callout_past_its_budget_is_cancelled_its_packet_dropped_and_other_clients_served()
    {
        using var logs = new CapturingLoggers();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(threads: 1), loggers: logs);
        server.Server.Hooks.LoadInProcess(new OneCalloutLibrary(HookNames.Leases6Committed, async handle =>
        {
            if (!IsVictim(handle))
            {
                return 0;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, handle.CancellationToken);
            }
            finally
            {
                cancelled.TrySetResult();
            }

            return 0;
        }), Library, calloutBudget: TimeSpan.FromMilliseconds(300));

        await server.SendRequestAsync(Victim);
        Assert.NotNull(await server.RequestAsync(Bystander, Patience));
        await cancelled.Task.WaitAsync(Patience);

        // Counted when the server gave up on it; the victim's reply never leaves.
        var deadline = DateTime.UtcNow + Patience;
        while (server.Server.Statistics.Value(Stat("callout-timeouts")) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, server.Server.Statistics.Value(Stat("callout-timeouts")));
        Assert.Contains(logs.Entries, e => e.EventName == "HOOKS_CALLOUT_TIMEOUT" && e.Message.Contains(Library, StringComparison.Ordinal));
        Assert.Empty(await server.ReceiveRepliesAsync(1, TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>A library with one callout, as a hostile one would be.</summary>
    private sealed class OneCalloutLibrary : HookLibrary
    {
        private readonly string _hook;
        private readonly Callout? _sync;
        private readonly AsyncCallout? _async;

        public OneCalloutLibrary(string hook, Callout callout)
        {
            _hook = hook;
            _sync = callout;
        }

        public OneCalloutLibrary(string hook, AsyncCallout callout)
        {
            _hook = hook;
            _async = callout;
        }

        public override bool MultiThreadingCompatible => true;

        public override int Load(LibraryHandle handle)
        {
            if (_sync is not null)
            {
                handle.RegisterCallout(_hook, _sync);
            }
            else
            {
                handle.RegisterCallout(_hook, _async!);
            }

            return 0;
        }
    }
}

/// <summary>Keeps every log line (event name, category, formatted message) for assertions.</summary>
internal sealed class CapturingLoggers : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<(string EventName, string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string EventName, string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggers owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((eventId.Name ?? string.Empty, category, logLevel, formatter(state, exception)));
    }
}
