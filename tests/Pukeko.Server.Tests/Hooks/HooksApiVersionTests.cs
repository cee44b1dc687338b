using Microsoft.CodeAnalysis;
using Pukeko.Hooks;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>
/// The loader reads the hooks API version a library was built against from its reference to
/// Pukeko.Hooks. The libraries here are compiled at test time, some against a stand-in
/// Pukeko.Hooks of another version, the way a library built for another server would be.
/// </summary>
public sealed class HooksApiVersionTests : IDisposable
{
    private static readonly Version ServerApi = new(HooksApiVersion.Major, HooksApiVersion.Minor);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ThePukekoHooksAssemblyVersionIsTheApiVersion()
    {
        // A library's reference only records this assembly version, so it must carry the minor.
        Assert.Equal(new Version(HooksApiVersion.Major, HooksApiVersion.Minor, 0, 0), typeof(HookLibrary).Assembly.GetName().Version);
    }

    [Fact]
    public void ALibraryBuiltAgainstThisServersApiLoads()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "Current", "public sealed class Current : HookLibrary { }");
        using var hooks = new HooksManager();
        hooks.Load([new HooksLibraryConfig(path, null)], multiThreading: false);
        Assert.Equal("Current.dll", Assert.Single(hooks.LibraryNames));
    }

    [Fact]
    public void ALibraryBuiltAgainstTheNextMajorIsRefused() => AssertRefused(new Version(ServerApi.Major + 1, 0));

    [Fact]
    public void ALibraryBuiltAgainstAnOlderMajorIsRefused() => AssertRefused(new Version(ServerApi.Major - 1, 0));

    [Fact]
    public void ALibraryBuiltAgainstANewerMinorIsRefused() => AssertRefused(new Version(ServerApi.Major, ServerApi.Minor + 1));

    [Theory]
    [InlineData("1.0", "1.0", true)]
    [InlineData("1.0", "1.3", true)]
    [InlineData("1.3", "1.3", true)]
    [InlineData("1.4", "1.3", false)]
    [InlineData("2.0", "1.3", false)]
    [InlineData("0.9", "1.3", false)]
    public void ALibraryRunsOnTheSameMajorWithAMinorNoNewerThanTheServers(string builtAgainst, string server, bool runs)
    {
        Assert.Equal(runs, HooksManager.CanRun(Version.Parse(builtAgainst), Version.Parse(server)));
    }

    [Fact]
    public void ALibraryThatDoesNotReferenceTheHooksApiKeepsItsOwnError()
    {
        var path = LibraryCompiler.Compile(_dir.Path, "Unrelated", "public sealed class Unrelated { }", withoutHooksApi: true);
        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig(path, null)], multiThreading: false));
        Assert.Equal($"hooks library {path}: does not reference Pukeko.Hooks", error);
    }

    [Fact]
    public void ALibraryThatReferencesTheEngineIsRefused()
    {
        // As a library built against Pukeko.Server's public types before they became internal would.
        var engine = LibraryCompiler.Compile(
            Path.Combine(_dir.Path, "engine"),
            "Pukeko.Server",
            "namespace Pukeko.Server.Leases { public sealed class Lease6 { public uint ValidLifetime { get; set; } } }",
            withoutHooksApi: true);
        var path = LibraryCompiler.Compile(
            _dir.Path,
            "UsesEngine",
            """public sealed class UsesEngine : HookLibrary { public int Lease6Select(CalloutHandle h) { h.GetArgument<Pukeko.Server.Leases.Lease6>("lease6").ValidLifetime = 1; return 0; } }""",
            [MetadataReference.CreateFromFile(engine)]);

        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig(path, null)], multiThreading: false));
        Assert.Equal($"hooks library {path}: references Pukeko.Server, which is not part of the hooks API; build it against Pukeko.Hooks and Pukeko.Protocol only", error);
    }

    [Fact]
    public void ThisServerProvidesHooksApi2()
    {
        // 2.0: callouts get views from Pukeko.Hooks instead of the engine's types, a change every library must be rebuilt for.
        Assert.Equal(new Version(2, 0), ServerApi);
    }

    private void AssertRefused(Version builtAgainst)
    {
        var name = $"Built{builtAgainst.Major}_{builtAgainst.Minor}";
        var standIn = CompileStandInHooksApi(builtAgainst);
        var path = LibraryCompiler.Compile(
            _dir.Path,
            name,
            $"public sealed class {name} : Pukeko.Hooks.HookLibrary {{ public override int Load(Pukeko.Hooks.LibraryHandle handle) => handle.AddedLater(); }}",
            [MetadataReference.CreateFromFile(standIn)],
            withoutHooksApi: true);

        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig(path, null)], multiThreading: false));
        Assert.Equal($"hooks library {path}: built against the Pukeko hooks API {builtAgainst.ToString(2)}, this server provides {ServerApi.ToString(2)}", error);
    }

    /// <summary>
    /// A Pukeko.Hooks of <paramref name="version"/> with a member this server lacks: without the
    /// version check such a library would load and fail only when it first calls that member.
    /// </summary>
    private string CompileStandInHooksApi(Version version) =>
        LibraryCompiler.Compile(
            Path.Combine(_dir.Path, $"api-{version}"),
            "Pukeko.Hooks",
            $$"""
            [assembly: System.Reflection.AssemblyVersion("{{version.Major}}.{{version.Minor}}.0.0")]
            namespace Pukeko.Hooks
            {
                public abstract class HookLibrary { public virtual int Load(LibraryHandle handle) => 0; }
                public abstract class LibraryHandle { public int AddedLater() => 0; }
            }
            """,
            withoutHooksApi: true);
}
