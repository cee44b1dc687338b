using System.Diagnostics;
using System.Text.Json;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.RunScript;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using LeaseView = Pukeko.Hooks.Leases.Lease6;
using Pukeko.Server.Statistics;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>
/// The built-in run script library (<c>libdhcp_run_script.so</c>) with a real shell script that writes its arguments
/// and environment to a file per run: Kea's variable names and values, the asynchronous runner and its counters.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RunScriptLibraryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StatisticsRegistry _statistics = new();
    private readonly HooksManager _hooks;

    public RunScriptLibraryTests()
    {
        _hooks = new HooksManager(statistics: _statistics);
    }

    public void Dispose()
    {
        _hooks.Dispose();
        _dir.Dispose();
    }

    private string Runs => Path.Combine(_dir.Path, "runs");

    /// <summary>
    /// A script recording each run in runs/&lt;pid&gt;: its argument count, arguments and environment (written to a
    /// temporary name first, so a file that exists is complete). <paramref name="tail"/> ends the script.
    /// </summary>
    private string Script(string tail = "exit 0")
    {
        Directory.CreateDirectory(Runs);
        var path = _dir.Write("hook.sh", $$"""
            #!/bin/sh
            out="{{Runs}}/$$"
            { echo "ARGC=$#"; for a in "$@"; do echo "ARG=$a"; done; env; } > "$out.tmp"
            mv "$out.tmp" "$out"
            {{tail}}

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private RunScriptLibrary Load(RunScriptOptions options)
    {
        var library = new RunScriptLibrary(options, _statistics);
        _hooks.LoadInProcess(library, "libdhcp_run_script.so");
        return library;
    }

    /// <summary>Unloads (closing the queue), waits for every queued run, and returns each run's lines.</summary>
    private async Task<List<string[]>> FinishAsync(ScriptRunner runner)
    {
        _hooks.UnloadAll();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        return Directory.Exists(Runs)
            ? Directory.GetFiles(Runs).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Select(File.ReadAllLines).ToList()
            : [];
    }

    /// <summary>The environment of one run, without what the shell itself exports (PWD).</summary>
    private static Dictionary<string, string> Environment(string[] lines) => lines
        .Where(l => !l.StartsWith("ARG", StringComparison.Ordinal) && !l.StartsWith("PWD=", StringComparison.Ordinal))
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1]);

    private static Dhcp6Packet Query(MessageType type)
    {
        var message = new Dhcp6Message(type, 0x00abcd);
        message.Options.Add(new DuidOption(OptionCode.ClientId, ClientMessages.ClientDuid));
        var packet = new Dhcp6Packet(message)
        {
            RemoteAddress = Ipv6Address.Parse("fe80::1"),
            RemotePort = 547,
            LocalAddress = Ipv6Address.Parse("2001:db8::53"),
            LocalPort = 547,
            InterfaceIndex = 3,
            InterfaceName = "eth1",
        };
        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:1::1"), Ipv6Address.Parse("fe80::1"));
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, "eth/7"u8));
        packet.Relays.Add(relay);
        return packet;
    }

    private static LeaseView Lease(string address, LeaseType type = LeaseType.NA, byte prefixLength = 128) => LeaseViews.ToView(new Lease6
    {
        Address = Ipv6Address.Parse(address),
        Type = type,
        PrefixLength = prefixLength,
        Duid = ClientMessages.ClientDuid.ToArray(),
        Iaid = 42,
        PreferredLifetime = 3000,
        ValidLifetime = 4000,
        Cltt = 1_700_000_000,
        SubnetId = 1,
        Hostname = "host.example.org",
        HardwareAddress = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05],
        HardwareType = 1,
    });

    private void Call(string hook, Action<CalloutHandle> arguments)
    {
        var handle = _hooks.CreateHandle();
        arguments(handle);
        _hooks.Call(HookPoints.IndexOf(hook), handle);
        HooksManager.EndCall(handle);
        _hooks.ReleaseHandle(handle);
    }

    private static readonly Dictionary<string, string> QueryVariables = new()
    {
        ["QUERY6_TYPE"] = "REQUEST",
        ["QUERY6_TXID"] = "43981",
        ["QUERY6_LOCAL_ADDR"] = "2001:db8::53",
        ["QUERY6_LOCAL_PORT"] = "547",
        ["QUERY6_REMOTE_ADDR"] = "fe80::1",
        ["QUERY6_REMOTE_PORT"] = "547",
        ["QUERY6_IFACE_INDEX"] = "3",
        ["QUERY6_IFACE_NAME"] = "eth1",
        ["QUERY6_REMOTE_HWADDR"] = "",
        ["QUERY6_REMOTE_HWADDR_TYPE"] = "",
        ["QUERY6_PROTO"] = "UDP",
        ["QUERY6_CLIENT_ID"] = "00:01:00:01:29:b9:27:00:00:01:02:03:04:05",
        ["QUERY6_OPTION_18"] = "0x6574682F37",
    };

    private static Dictionary<string, string> LeaseVariables(string prefix, string address = "2001:db8:1::10", string type = "IA_NA", string prefixLength = "128") => new()
    {
        [prefix + "_ADDRESS"] = address,
        [prefix + "_CLTT"] = "1700000000",
        [prefix + "_HOSTNAME"] = "host.example.org",
        [prefix + "_HWADDR"] = "00:01:02:03:04:05",
        [prefix + "_HWADDR_TYPE"] = "1",
        [prefix + "_STATE"] = "default",
        [prefix + "_SUBNET_ID"] = "1",
        [prefix + "_VALID_LIFETIME"] = "4000",
        [prefix + "_DUID"] = "00:01:00:01:29:b9:27:00:00:01:02:03:04:05",
        [prefix + "_IAID"] = "42",
        [prefix + "_PREFERRED_LIFETIME"] = "3000",
        [prefix + "_PREFIX_LEN"] = prefixLength,
        [prefix + "_TYPE"] = type,
    };

    private static Dictionary<string, string> Merge(params Dictionary<string, string>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public async Task Leases6_committed_runs_the_script_with_the_hook_name_and_exactly_keas_variables()
    {
        Assert.Equal("00:01:00:01:29:b9:27:00:00:01:02:03:04:05", ClientMessages.ClientDuid.ToString());
        var runner = Load(new RunScriptOptions { Name = Script() }).Runner!;
        Call(HookNames.Leases6Committed, h =>
        {
            h.SetArgument("query6", Query(MessageType.Request));
            h.SetArgument("response6", new Dhcp6Packet(new Dhcp6Message(MessageType.Reply, 0x00abcd)));
            h.SetArgument<IReadOnlyList<LeaseView>>("leases6", [Lease("2001:db8:1::10"), Lease("2001:db8:ff::", LeaseType.PD, 56)]);
            h.SetArgument<IReadOnlyList<LeaseView>>("deleted_leases6", []);
        });

        var run = Assert.Single(await FinishAsync(runner));
        Assert.Equal(["ARGC=1", "ARG=leases6_committed"], run.Where(l => l.StartsWith("ARG", StringComparison.Ordinal)));
        var expected = Merge(
            QueryVariables,
            new() { ["LEASES6_SIZE"] = "2", ["DELETED_LEASES6_SIZE"] = "0" },
            LeaseVariables("LEASES6_AT0"),
            LeaseVariables("LEASES6_AT1", "2001:db8:ff::", "IA_PD", "56"));
        Assert.Equal(expected.OrderBy(p => p.Key), Environment(run).OrderBy(p => p.Key));
        Assert.Equal(1, runner.Started);
        Assert.Equal(0, runner.Failed);
        Assert.Equal(1, _statistics.Value("hooks.library[1].script-runs"));
    }

    [Fact]
    public async Task Lease6_renew_and_rebind_add_the_ia_of_the_reply()
    {
        var runner = Load(new RunScriptOptions { Name = Script() }).Runner!;
        foreach (var hook in (string[])[HookNames.Lease6Renew, HookNames.Lease6Rebind])
        {
            Call(hook, h =>
            {
                h.SetArgument("query6", Query(MessageType.Request));
                h.SetArgument("lease6", Lease("2001:db8:ff::", LeaseType.PD, 56));
                h.SetArgument("ia_pd", new IaPdOption(42, 1000, 2000));
            });
        }

        var runs = await FinishAsync(runner);
        Assert.Equal(2, runs.Count);
        Assert.Equal([HookNames.Lease6Rebind, HookNames.Lease6Renew], runs.Select(r => r.Single(l => l.StartsWith("ARG=", StringComparison.Ordinal))[4..]).Order());
        var expected = Merge(
            QueryVariables,
            LeaseVariables("LEASE6", "2001:db8:ff::", "IA_PD", "56"),
            new() { ["PKT6_IA_IAID"] = "42", ["PKT6_IA_IA_TYPE"] = "25", ["PKT6_IA_IA_T1"] = "1000", ["PKT6_IA_IA_T2"] = "2000" });
        Assert.All(runs, run => Assert.Equal(expected.OrderBy(p => p.Key), Environment(run).OrderBy(p => p.Key)));
    }

    [Fact]
    public async Task Release_decline_expire_and_recover_have_their_own_variables()
    {
        var runner = Load(new RunScriptOptions { Name = Script() }).Runner!;
        Call(HookNames.Lease6Release, h => { h.SetArgument("query6", Query(MessageType.Release)); h.SetArgument("lease6", Lease("2001:db8:1::10")); });
        Call(HookNames.Lease6Decline, h => { h.SetArgument("query6", Query(MessageType.Decline)); h.SetArgument("lease6", Lease("2001:db8:1::11")); });
        Call(HookNames.Lease6Expire, h => { h.SetArgument("lease6", Lease("2001:db8:1::12")); h.SetArgument("remove_lease", true); });
        Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::13")));

        var byHook = (await FinishAsync(runner)).ToDictionary(r => r.Single(l => l.StartsWith("ARG=", StringComparison.Ordinal))[4..], Environment);
        Assert.Equal(
            Merge(QueryVariables, LeaseVariables("LEASE6")).Where(p => p.Key != "QUERY6_TYPE").Append(new("QUERY6_TYPE", "RELEASE")).OrderBy(p => p.Key),
            byHook[HookNames.Lease6Release].OrderBy(p => p.Key));
        Assert.Equal("DECLINE", byHook[HookNames.Lease6Decline]["QUERY6_TYPE"]);
        Assert.Equal("2001:db8:1::11", byHook[HookNames.Lease6Decline]["LEASE6_ADDRESS"]);
        Assert.Equal(
            LeaseVariables("LEASE6", "2001:db8:1::12").Append(new("REMOVE_LEASE", "true")).OrderBy(p => p.Key),
            byHook[HookNames.Lease6Expire].OrderBy(p => p.Key));
        Assert.Equal(LeaseVariables("LEASE6", "2001:db8:1::13").OrderBy(p => p.Key), byHook[HookNames.Lease6Recover].OrderBy(p => p.Key));
    }

    [Fact]
    public async Task A_callout_status_of_skip_or_drop_runs_nothing()
    {
        // A callout of the server's own, before the library's, sets the status the library sees.
        _hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Recover, h => { h.Status = NextStep.Skip; return 0; });
        _hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Release, h => { h.Status = NextStep.Drop; return 0; });
        var runner = Load(new RunScriptOptions { Name = Script() }).Runner!;
        Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::13")));
        Call(HookNames.Lease6Release, h => { h.SetArgument("query6", Query(MessageType.Release)); h.SetArgument("lease6", Lease("2001:db8:1::10")); });
        Call(HookNames.Lease6Expire, h => { h.SetArgument("lease6", Lease("2001:db8:1::12")); h.SetArgument("remove_lease", false); });
        var run = Assert.Single(await FinishAsync(runner));
        Assert.Contains("ARG=lease6_expire", run);
        Assert.Contains("REMOVE_LEASE=false", run);
        Assert.Equal(1, runner.Started);
    }

    [Fact]
    public async Task A_script_exiting_non_zero_is_counted_as_a_failure()
    {
        var runner = Load(new RunScriptOptions { Name = Script("exit 3") }).Runner!;
        Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::13")));
        Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::14")));
        Assert.Equal(2, (await FinishAsync(runner)).Count);
        Assert.Equal(2, runner.Started);
        Assert.Equal(2, runner.Failed);
        Assert.Equal(2, _statistics.Value("hooks.library[1].script-failures"));
    }

    [Fact]
    public async Task A_script_that_stopped_being_executable_is_counted_as_a_failure()
    {
        var script = Script();
        var runner = Load(new RunScriptOptions { Name = script }).Runner!;
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::13")));
        Assert.Empty(await FinishAsync(runner));
        Assert.Equal(0, runner.Started);
        Assert.Equal(1, runner.Failed);
    }

    [Fact]
    public async Task Callouts_never_wait_for_the_script_and_runs_past_the_queue_limit_are_dropped()
    {
        var runner = Load(new RunScriptOptions { Name = Script("sleep 1"), MaxRunning = 1, QueueLimit = 1 }).Runner!;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            Call(HookNames.Lease6Recover, h => h.SetArgument("lease6", Lease("2001:db8:1::13")));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"five callouts took {clock.Elapsed}");

        // One run at a time and one waiting: of five, at least three were dropped.
        Assert.True(runner.Dropped >= 3, $"dropped {runner.Dropped}");
        var runs = await FinishAsync(runner);
        Assert.Equal(5 - runner.Dropped, runs.Count);
        Assert.Equal(runner.Dropped, _statistics.Value("hooks.library[1].script-drops"));
    }

    [Fact]
    public void A_missing_or_non_executable_script_fails_the_load_as_in_kea()
    {
        var script = Script();
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var parameters = JsonDocument.Parse($$"""{ "name": "{{script}}" }""").RootElement.Clone();
        Assert.Contains("File not executable: " + script, Assert.Single(HooksManager.Validate([new HooksLibraryConfig("libdhcp_run_script.so", parameters)], multiThreading: true)), StringComparison.Ordinal);

        var missing = JsonDocument.Parse("""{ "name": "/nonexistent/hook.sh" }""").RootElement.Clone();
        Assert.Contains("File not found: /nonexistent/hook.sh", Assert.Single(HooksManager.Validate([new HooksLibraryConfig("libdhcp_run_script.so", missing)], multiThreading: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_are_checked_with_their_json_path()
    {
        static string Config(string parameters) => Dhcp6($$"""
            "hooks-libraries": [ { "library": "/opt/lib/libdhcp_run_script.so"{{parameters}} } ]
            """);
        LoadFails(Config(""), "Dhcp6/hooks-libraries[0]/parameters", "mandatory 'name'");
        LoadFails(Config(""", "parameters": { "sync": false }"""), "Dhcp6/hooks-libraries[0]/parameters", "the 'name' parameter is mandatory");
        LoadFails(Config(""", "parameters": { "name": 7 }"""), "Dhcp6/hooks-libraries[0]/parameters/name", "the 'name' parameter must be a string");
        LoadFails(Config(""", "parameters": { "name": "/bin/true", "sync": true }"""), "Dhcp6/hooks-libraries[0]/parameters/sync", "'sync': true is not supported");
        LoadFails(Config(""", "parameters": { "name": "/bin/true", "sync": "no" }"""), "Dhcp6/hooks-libraries[0]/parameters/sync", "must be a boolean");

        var config = LoadOk(Config(""", "parameters": { "name": "/usr/local/bin/hook.sh", "sync": false }"""));
        Assert.Equal("/usr/local/bin/hook.sh", Assert.IsType<RunScriptOptions>(Assert.Single(config.HooksLibraries).BuiltInOptions).Name);
    }

    [Fact]
    public async Task A_request_through_the_pipeline_runs_the_script_for_its_committed_lease()
    {
        var script = Script();
        using var h = PipelineHarness.FromDhcp6($$"""
            "hooks-libraries": [ { "library": "libdhcp_run_script.so", "parameters": { "name": "{{script}}", "sync": false } } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
            """);
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        var reply = h.Exchange(ClientMessages.Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), ClientMessages.AddressOf(reply)!.Address);

        // The runner is reached through the loaded entry object, which the harness's hooks manager owns.
        var runner = Assert.IsType<RunScriptLibrary>(h.Hooks.LoadedEntries.Single()).Runner!;
        h.Hooks.UnloadAll();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var run = Environment(File.ReadAllLines(Assert.Single(Directory.GetFiles(Runs))));
        Assert.Equal("REQUEST", run["QUERY6_TYPE"]);
        Assert.Equal("eth0", run["QUERY6_IFACE_NAME"]);
        Assert.Equal("1", run["LEASES6_SIZE"]);
        Assert.Equal("2001:db8:1::10", run["LEASES6_AT0_ADDRESS"]);
        Assert.Equal("1", run["LEASES6_AT0_IAID"]);
        Assert.Equal("0", run["DELETED_LEASES6_SIZE"]);
    }
}
