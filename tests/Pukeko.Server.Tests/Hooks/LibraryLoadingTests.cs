using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>Libraries loaded from files: entry points, validation, order, unloading, reload (digest §1.3, §8.2 LoadUnload).</summary>
public sealed class LibraryLoadingTests : IDisposable
{
    private const string MarkerLibrary = """
        public sealed class Markers : HookLibrary
        {
            private string? _unload;
            public override bool MultiThreadingCompatible => true;
            public override int Load(LibraryHandle handle)
            {
                _unload = handle.GetParameter("unload")?.GetString();
                System.IO.File.AppendAllText(handle.GetParameter("load")!.Value.GetString()!, handle.Index.ToString());
                return handle.GetParameter("fail")?.GetInt32() ?? 0;
            }
            public override int Unload()
            {
                System.IO.File.AppendAllText(_unload!, _index.ToString());
                return 0;
            }
            private int _index => int.Parse(System.IO.Path.GetFileNameWithoutExtension(_unload!).Split('-')[1]);
        }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LoadMarker => Path.Combine(_dir.Path, "load");

    private HooksLibraryConfig Marker(string path, int index, int fail = 0) =>
        new(path, JsonDocument.Parse($$"""{"load": "{{LoadMarker}}", "unload": "{{Path.Combine(_dir.Path, $"unload-{index}")}}", "fail": {{fail}}}""").RootElement.Clone());

    private string UnloadMarkers => string.Concat(Directory.GetFiles(_dir.Path, "unload-*").Order().Select(f => File.ReadAllText(f)));

    [Fact]
    public void LibrariesLoadInOrderAndUnloadInReverse()
    {
        var unloadOrder = Path.Combine(_dir.Path, "unload-order");
        var source = MarkerLibrary.Replace("System.IO.File.AppendAllText(_unload!, _index.ToString());", "System.IO.File.AppendAllText(_unload!, _index.ToString()); System.IO.File.AppendAllText(\"" + unloadOrder + "\", _index.ToString());");
        var path = LibraryCompiler.Compile(_dir.Path, "MarkerLib2", source);
        using var hooks = new HooksManager();
        hooks.Load([Marker(path, 1), Marker(path, 2)], multiThreading: true);
        Assert.Equal("12", File.ReadAllText(LoadMarker));
        hooks.UnloadAll();
        Assert.Equal("21", File.ReadAllText(unloadOrder));
    }

    [Fact]
    public void LoadingIsAllOrNothing()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "MarkerLib", MarkerLibrary);
        using var hooks = new HooksManager();
        var error = Assert.Throws<HookLoadException>(() => hooks.Load([Marker(path, 1), Marker(path, 2, fail: 3)], multiThreading: true));
        Assert.Contains(path, error.Message);
        Assert.Contains("load() returned 3", error.Message);
        Assert.Empty(hooks.LibraryNames);
        Assert.Equal("12", File.ReadAllText(LoadMarker));
        Assert.Contains("1", UnloadMarkers); // the first library was unloaded again
    }

    [Fact]
    public void AMissingFileIsRejectedWithItsPath()
    {
        var missing = Path.Combine(_dir.Path, "Nope.dll");
        var errors = HooksManager.Validate([new HooksLibraryConfig(missing, null)], multiThreading: false);
        Assert.Equal($"hooks library {missing}: file not found", Assert.Single(errors));
    }

    [Theory]
    [InlineData("public sealed class Helper { }", "no entry class")]
    [InlineData("public sealed class A : HookLibrary { } public sealed class B : HookLibrary { }", "more than one entry class")]
    [InlineData("public sealed class A : HookLibrary { public override int Load(LibraryHandle h) => throw new InvalidOperationException(\"no database\"); }", "load() threw: no database")]
    [InlineData("public sealed class A : HookLibrary { public Task<int> Pkt6Receive(CalloutHandle h) => Task.FromResult(0); }", "cannot park")]
    [InlineData("public sealed class A : HookLibrary { public int Pkt6Receive(string s) => 0; }", "must take exactly one CalloutHandle")]
    public void BadLibrariesAreRejectedWithTheReason(string source, string reason)
    {
        var path = LibraryCompiler.Compile(_dir.Path, "Bad" + Guid.NewGuid().ToString("N"), "public sealed class Unused { HookLibrary? _x; }\n" + source);
        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig(path, null)], multiThreading: false));
        Assert.Contains(path, error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void MultiThreadingIncompatibleLibrariesAreRefusedWhileMultiThreadingIsOnBeforeLoad()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "SingleThreaded", MarkerLibrary.Replace("public override bool MultiThreadingCompatible => true;", ""));
        var error = Assert.Single(HooksManager.Validate([Marker(path, 1)], multiThreading: true));
        Assert.Contains("not multi-threading compatible", error);
        Assert.False(File.Exists(LoadMarker)); // load() was never called
        Assert.Empty(HooksManager.Validate([Marker(path, 1)], multiThreading: false));
    }

    [Fact]
    public void KeaNativeCommandLibrariesAreAcceptedAndIgnored()
    {
        using var hooks = new HooksManager();
        hooks.Load([new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_lease_cmds.so", null), new HooksLibraryConfig("/opt/kea/libdhcp_stat_cmds.so", null)], multiThreading: true);
        Assert.Empty(hooks.LibraryNames);
    }

    [Fact]
    public void KeaLibrariesThatLeaveLeasesAloneAreSkippedButLeaseChangingOnesAreRefused()
    {
        using var hooks = new HooksManager();
        hooks.Load([new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_cb_cmds.so", null), new HooksLibraryConfig("/opt/lib/libdhcp_perfmon.so", null)], multiThreading: true);
        Assert.Empty(hooks.LibraryNames);

        // Even where a file of that name exists, Kea's RADIUS library is refused for what it is, not loaded.
        var radius = Path.Combine(_dir.Path, "libdhcp_radius.so");
        File.WriteAllBytes(radius, [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig(radius, null)], multiThreading: true));
        Assert.Contains("libdhcp_radius.so is Kea's RADIUS library, which Pukeko does not have", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ALibraryBuiltAgainstTheHooksApiOnlyEditsTheLeaseAndPrivateDependenciesLoadBesideIt()
    {
        var libDir = Path.Combine(_dir.Path, "lib");
        var helper = LibraryCompiler.Compile(libDir, "LifetimeHelper", "public static class Lifetimes { public static uint Valid => 4321; }");
        var path = LibraryCompiler.Compile(libDir, "Lifetime", """
            using Pukeko.Hooks.Leases;
            public sealed class Lifetime : HookLibrary
            {
                public int Lease6Select(CalloutHandle handle)
                {
                    handle.GetArgument<Lease6>("lease6").ValidLifetime = Lifetimes.Valid;
                    return 0;
                }
            }
            """, [MetadataReference.CreateFromFile(helper)]);
        using var h = new PipelineHarness();
        h.Hooks.Load([new HooksLibraryConfig(path, null)], multiThreading: false);
        var reply = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(4321u, AddressOf(reply)!.ValidLifetime);
    }

    [Fact]
    public void AnUnloadedLibrarysLoadContextIsCollected()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "Collectible", "public sealed class C : HookLibrary { public int Pkt6Receive(CalloutHandle h) => 0; }");
        using var h = new PipelineHarness();
        var context = LoadAndTrack(h, path);
        h.Hooks.UnloadAll();
        for (var i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndTrack(PipelineHarness h, string path)
    {
        h.Hooks.Load([new HooksLibraryConfig(path, null)], multiThreading: false);
        h.Exchange(Create(MessageType.Solicit));
        return new WeakReference(AssemblyLoadContext.All.Single(c => c.Name == "hook:Collectible.dll"));
    }

    [Fact]
    public async Task ConventionAsyncCalloutsFromAFileParkTheReply()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "Notifier", """
            public sealed class Notifier : HookLibrary
            {
                public async Task Leases6Committed(CalloutHandle handle)
                {
                    await Task.Delay(100, handle.CancellationToken);
                }
            }
            """);
        using var h = new PipelineHarness();
        h.Hooks.Load([new HooksLibraryConfig(path, null)], multiThreading: false);
        Assert.Null(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Datagram);
        Assert.Equal(MessageType.Reply, (await Task.Run(() => h.NextParkedReply()))!.Type);
    }

    [Fact]
    public async Task LibreloadReloadsOneLibraryByNameAndKeepsTheOthers()
    {
        const string Template = """
            public sealed class V : HookLibrary
            {
                [Callout("lease6_select")]
                public int Set(CalloutHandle handle)
                {
                    handle.GetArgument<Pukeko.Hooks.Leases.Lease6>("lease6").ValidLifetime += VALUE;
                    return 0;
                }
            }
            """;
        var first = LibraryCompiler.Compile(Path.Combine(_dir.Path, "a"), "Adder", Template.Replace("VALUE", "1"));
        var second = LibraryCompiler.Compile(Path.Combine(_dir.Path, "b"), "Other", Template.Replace("VALUE", "10"));
        using var h = new PipelineHarness();
        h.Hooks.Load([new HooksLibraryConfig(first, null), new HooksLibraryConfig(second, null)], multiThreading: false);
        Assert.Equal(4011u, AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.ValidLifetime);
        LibraryCompiler.Compile(Path.Combine(_dir.Path, "a"), "Adder", Template.Replace("VALUE", "100"));
        var answer = await h.Hooks.ReloadLibrariesAsync("Adder", CancellationToken.None);
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.Equal(["Adder.dll", "Other.dll"], h.Hooks.LibraryNames);
        Assert.Equal(4110u, AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.ValidLifetime);
        var unknown = await h.Hooks.ReloadLibrariesAsync("Missing", CancellationToken.None);
        Assert.Equal(1, unknown["result"]!.GetValue<int>());
        var all = await h.Hooks.ReloadLibrariesAsync(null, CancellationToken.None);
        Assert.Equal(0, all["result"]!.GetValue<int>());
        Assert.Equal(4110u, AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.ValidLifetime);
    }
}
