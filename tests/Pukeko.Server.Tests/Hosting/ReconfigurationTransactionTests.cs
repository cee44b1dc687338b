using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Hooks;

using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Hosting;

/// <summary>
/// A reconfiguration builds the new runtime beside the running one and swaps with no packet in
/// flight; when a piece cannot be built, the running runtime keeps serving untouched. Packets go
/// through the real transport (UDP on loopback).
/// </summary>
public sealed class ReconfigurationTransactionTests
{
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_lease_file_that_cannot_be_opened_keeps_the_running_store_serving()
    {
        await using var server = await LoopbackServer.StartAsync();
        var before = await server.RequestAsync(LoopbackServer.Client(1), ReplyWait);
        Assert.NotNull(before);
        var store = server.Server.Leases;
        var hash = server.Server.ConfigHash;
        var blocker = server.Root.Write("blocker", "a file where the lease directory should be");

        var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(leaseFile: Path.Combine(blocker, "leases.csv")));

        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains(blocker, answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Same(store, server.Server.Leases);
        Assert.Equal(hash, server.Server.ConfigHash);
        AssertHolds(store!, LoopbackServer.Client(1).ToArray(), before.Value);
        var after = await server.RequestAsync(LoopbackServer.Client(2), ReplyWait);
        Assert.NotNull(after);
        AssertHolds(store!, LoopbackServer.Client(2).ToArray(), after.Value);
    }

    [Fact]
    public async Task A_lease_file_locked_by_a_running_cleanup_of_another_process_fails_the_reload_with_the_reason()
    {
        await using var server = await LoopbackServer.StartAsync();
        var before = await server.RequestAsync(LoopbackServer.Client(1), ReplyWait);
        Assert.NotNull(before);
        var store = server.Server.Leases;
        using var foreign = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var leaseFile = Path.Combine(server.Server.Directories.DataDirectory, "locked.csv");
            File.WriteAllText(leaseFile + ".pid", $"{foreign.Id}\n");
            File.WriteAllText(server.ConfigFile, LoopbackServer.Document(LoopbackServer.Dhcp6(leaseFile: "locked.csv")));

            var answer = await server.CommandAsync("""{"command": "config-reload"}""");

            ControlAssert.Result(answer, ControlResult.Error);
            var text = answer["text"]!.GetValue<string>();
            Assert.StartsWith("Config reload failed:", text, StringComparison.Ordinal);
            Assert.Contains("lease file cleanup is running", text, StringComparison.Ordinal);
            Assert.Contains($"process {foreign.Id}", text, StringComparison.Ordinal);
        }
        finally
        {
            foreign.Kill();
        }

        Assert.Same(store, server.Server.Leases);
        AssertHolds(store!, LoopbackServer.Client(1).ToArray(), before.Value);
        var after = await server.RequestAsync(LoopbackServer.Client(2), ReplyWait);
        Assert.NotNull(after);
        AssertHolds(store!, LoopbackServer.Client(2).ToArray(), after.Value);
    }

    /// <summary>
    /// Kea's semantics for a new lease file: the leases stay in the old one. Every lease
    /// acknowledged before the reload began is in the old file, every lease requested after it
    /// returned is in the new store, and each in between is in one of them.
    /// </summary>
    [Fact]
    public async Task Changing_the_lease_file_under_traffic_keeps_every_acknowledged_lease_in_the_old_file_or_the_new_store()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(leaseFile: "first.csv"));
        var firstFile = Path.Combine(server.Server.Directories.DataDirectory, "first.csv");
        IReadOnlyList<LeaseTraffic.Ack> acked;
        int ackedBeforeReload;
        long reloadReturned;
        await using (var traffic = new LeaseTraffic(server))
        {
            await traffic.WaitForAsync(30);
            ackedBeforeReload = traffic.Count;
            var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(leaseFile: "second.csv"));
            reloadReturned = Stopwatch.GetTimestamp();
            ControlAssert.Result(answer, ControlResult.Success);
            await traffic.WaitForAsync(traffic.Count + 30);
            acked = await traffic.StopAsync();
        }

        var second = server.Server.Leases!;
        Assert.Equal(Path.Combine(server.Server.Directories.DataDirectory, "second.csv"), ((MemfileLeaseStore)second).Options.FilePath);
        using var first = new MemfileLeaseStore(new MemfileOptions(firstFile, LfcIntervalSeconds: 0), NullLogger.Instance, TimeProvider.System);
        first.Open();
        for (var i = 0; i < acked.Count; i++)
        {
            var ack = acked[i];
            var client = ack.Client.ToArray();
            if (i < ackedBeforeReload)
            {
                AssertHolds(first, client, ack.Address);
            }
            else if (ack.SentAt > reloadReturned)
            {
                AssertHolds(second, client, ack.Address);
            }
            else
            {
                Assert.True(Holds(first, client, ack.Address) || Holds(second, client, ack.Address), $"the lease {ack.Address} acknowledged during the reload is in neither lease file");
            }
        }
    }

    /// <summary>
    /// When only a setting other than the file changes, the store is reopened on the same file: it
    /// must hold every lease acknowledged before, during and after the reload, so none is handed
    /// out twice.
    /// </summary>
    [Fact]
    public async Task Reopening_the_same_lease_file_under_traffic_keeps_every_acknowledged_lease()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(leaseFile: "same.csv", lfcInterval: 0));
        var oldStore = server.Server.Leases;
        IReadOnlyList<LeaseTraffic.Ack> acked;
        await using (var traffic = new LeaseTraffic(server))
        {
            await traffic.WaitForAsync(30);
            var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(leaseFile: "same.csv", lfcInterval: 7200));
            ControlAssert.Result(answer, ControlResult.Success);
            await traffic.WaitForAsync(traffic.Count + 30);
            acked = await traffic.StopAsync();
        }

        var store = server.Server.Leases!;
        Assert.NotSame(oldStore, store);
        Assert.Equal(7200u, ((MemfileLeaseStore)store).Options.LfcIntervalSeconds);
        foreach (var ack in acked)
        {
            AssertHolds(store, ack.Client.ToArray(), ack.Address);
        }

        Assert.Equal(acked.Count, acked.Select(a => a.Address).Distinct().Count());
    }

    [Fact]
    public async Task A_socket_that_fails_to_bind_keeps_the_running_socket_serving()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(threads: 2));
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(1), ReplyWait));
        var hash = server.Server.ConfigHash;
        var binds = 0;
        server.Server.TransportFactory = _ =>
        {
            binds++;
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        };

        // Another worker count needs another transport.
        var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(threads: 3));

        ControlAssert.Result(answer, ControlResult.Error);
        Assert.Contains($"failed to open socket on port {server.ServerPort}", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, binds);
        Assert.Equal(hash, server.Server.ConfigHash);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(2), ReplyWait));
    }

    [Fact]
    public async Task A_new_socket_is_bound_beside_the_running_one_and_takes_over()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(threads: 2));
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(1), ReplyWait));
        var binds = 0;
        var bind = server.Server.TransportFactory;
        server.Server.TransportFactory = settings =>
        {
            binds++;
            return bind(settings);
        };

        var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(threads: 3));

        ControlAssert.Result(answer, ControlResult.Success);
        Assert.Equal(1, binds);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(2), ReplyWait));
    }

    [Fact]
    public async Task A_reconfiguration_waits_for_the_packet_inside_a_callout_and_unloads_its_library_after()
    {
        await using var server = await LoopbackServer.StartAsync();
        var library = new BlockingCalloutLibrary();
        server.Server.Hooks.LoadInProcess(library, "blocking");
        var request = server.RequestAsync(LoopbackServer.Client(1), Patience);
        Assert.True(await library.Entered.WaitAsync(Patience));

        // The same configuration: it names no hook library, so the in-process one is unloaded.
        var reconfigure = server.ConfigSetAsync(LoopbackServer.Dhcp6());
        await Task.Delay(300);
        Assert.False(reconfigure.IsCompleted, "the reconfiguration did not wait for the packet in flight");
        Assert.DoesNotContain("unload", library.Events);

        library.Proceed.Release();
        ControlAssert.Result(await reconfigure.WaitAsync(Patience), ControlResult.Success);
        Assert.NotNull(await request.WaitAsync(Patience));
        Assert.Equal(["callout entered", "callout returned", "unload"], library.Events);
        Assert.Empty(server.Server.Hooks.LibraryNames);
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(2), ReplyWait));
    }

    [Fact]
    public async Task A_reconfiguration_waits_for_the_packet_in_the_pipeline_before_it_swaps_the_store()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(leaseFile: "first.csv"));
        var firstFile = Path.Combine(server.Server.Directories.DataDirectory, "first.csv");
        var blocking = new BlockingCalloutLibrary();

        // On the server's own handle, which no reconfiguration unloads: only the drain can wait for it.
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(Pukeko.Hooks.HookNames.Pkt6Receive, blocking.Block);
        var request = server.RequestAsync(LoopbackServer.Client(1), Patience);
        Assert.True(await blocking.Entered.WaitAsync(Patience));

        var reconfigure = server.ConfigSetAsync(LoopbackServer.Dhcp6(leaseFile: "second.csv"));
        await Task.Delay(300);
        Assert.False(reconfigure.IsCompleted, "the store was swapped with a packet in the pipeline");

        blocking.Proceed.Release(1000);
        ControlAssert.Result(await reconfigure.WaitAsync(Patience), ControlResult.Success);
        var address = await request.WaitAsync(Patience);
        Assert.NotNull(address);
        using var first = new MemfileLeaseStore(new MemfileOptions(firstFile, LfcIntervalSeconds: 0), NullLogger.Instance, TimeProvider.System);
        first.Open();
        AssertHolds(first, LoopbackServer.Client(1).ToArray(), address.Value);
    }

    [Fact]
    public async Task A_packet_stuck_in_the_pipeline_delays_a_reconfiguration_only_up_to_the_bound()
    {
        await using var server = await LoopbackServer.StartAsync(LoopbackServer.Dhcp6(leaseFile: "same.csv"), s => s.PacketDrainWait = TimeSpan.FromMilliseconds(300));
        var store = server.Server.Leases;
        var blocking = new BlockingCalloutLibrary();
        server.Server.Hooks.PreCalloutsLibraryHandle.RegisterCallout(Pukeko.Hooks.HookNames.Pkt6Receive, blocking.Block);
        var request = server.RequestAsync(LoopbackServer.Client(1), Patience);
        Assert.True(await blocking.Entered.WaitAsync(Patience));
        try
        {
            var other = LoopbackServer.Dhcp6(leaseFile: "same.csv");
            other["valid-lifetime"] = 5000;
            ControlAssert.Result(await server.ConfigSetAsync(other).WaitAsync(Patience), ControlResult.Success);

            // Reopening the lease file the stuck packet may still write to is refused instead.
            var answer = await server.ConfigSetAsync(LoopbackServer.Dhcp6(leaseFile: "same.csv", lfcInterval: 7200)).WaitAsync(Patience);
            ControlAssert.Result(answer, ControlResult.Error);
            Assert.Contains("still being processed", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Same(store, server.Server.Leases);
        }
        finally
        {
            blocking.Proceed.Release(1000);
        }

        Assert.NotNull(await request.WaitAsync(Patience));
        Assert.NotNull(await server.RequestAsync(LoopbackServer.Client(2), ReplyWait));
    }

    private static bool Holds(ILeaseStore store, byte[] client, Ipv6Address address) =>
        store.Get(address) is { } lease && lease.Duid.AsSpan().SequenceEqual(client);

    private static void AssertHolds(ILeaseStore store, byte[] client, Ipv6Address address) =>
        Assert.True(Holds(store, client, address), $"the lease {address} of client {Convert.ToHexString(client)} is missing");
}
