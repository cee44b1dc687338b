using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Hooks;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Runs docs/hooks.md's tutorial once, verbatim, in an empty HOME: pack the SDK, install the template, build a library, run its tests.</summary>
public sealed class HookTutorialFixture : IDisposable
{
    internal HookTutorial Tutorial { get; } = new();

    internal string Markdown { get; } = HookTutorial.Document;

    internal string Output { get; }

    public HookTutorialFixture()
    {
        try
        {
            Output = Tutorial.RunBuildSteps(Markdown);
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw: remove the temporary HOME here.
            Tutorial.Dispose();
            throw;
        }
    }

    public void Dispose() => Tutorial.Dispose();
}

/// <summary>
/// The hook SDK outside the repository: the tutorial's commands work as written, the packages carry the
/// hooks API version, docs and sources, the generated solution's tests pass in the test kit, and every example
/// builds from a copy of its own folder.
/// No root, no network namespaces (HookTests points a real server and dhclient at the result).
/// </summary>
public sealed partial class HookTutorialTests(HookTutorialFixture fixture) : IClassFixture<HookTutorialFixture>
{
    private static readonly string Version = $"{HooksApiVersion.Major}.{HooksApiVersion.Minor}.0";

    private string Feed => Path.Combine(fixture.Tutorial.Home, "pukeko-feed");

    [Fact]
    public void TheTutorialBuildsALibraryAgainstThePackagesFromAnEmptyDirectory()
    {
        var library = fixture.Tutorial.LibraryPath(fixture.Markdown);
        Assert.True(File.Exists(library), $"{library} not built:\n{fixture.Output}");

        // Compiled against the package of this hooks API, which the server provides: not copied beside it.
        var output = Path.GetDirectoryName(library)!;
        Assert.False(File.Exists(Path.Combine(output, "Pukeko.Hooks.dll")), "Pukeko.Hooks.dll copied beside the library");
        Assert.False(File.Exists(Path.Combine(output, "Pukeko.Protocol.dll")), "Pukeko.Protocol.dll copied beside the library");
        Assert.Equal(new Version(HooksApiVersion.Major, HooksApiVersion.Minor, 0, 0), ReferencedVersion(library, "Pukeko.Hooks"));

        var project = File.ReadAllText(Directory.GetFiles(Path.GetFullPath(Path.Combine(output, "..", "..", "..")), "*.csproj").Single());
        Assert.Contains($"<PackageReference Include=\"Pukeko.Hooks\" Version=\"{Version}\"", project, StringComparison.Ordinal);
        Assert.DoesNotContain("ProjectReference", project, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTutorialsShellStepsAreTheOnesThisTestRuns()
    {
        var steps = HookTutorial.BuildSteps(fixture.Markdown);
        Assert.Contains(steps, s => s.Text.Contains("scripts/pack-sdk.sh", StringComparison.Ordinal) && s.Preamble.Contains("In the Pukeko checkout", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Text.Contains("dotnet new install", StringComparison.Ordinal) && s.Text.Contains($"Pukeko.Templates.{Version}.nupkg", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Text.Contains("dotnet build", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Text.Contains("dotnet test", StringComparison.Ordinal));
    }

    [Fact]
    public void TheGeneratedSolutionsTestsRunTheLibraryInTheTestKitAndPass()
    {
        // dotnet test printed its summary for the generated test project: at least one test, none failed.
        var summary = TestSummary().Match(fixture.Output);
        Assert.True(summary.Success, $"no passing test run of MyHook.Tests in the tutorial's output:\n{fixture.Output}");
        Assert.True(int.Parse(summary.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, summary.Value);

        var tests = Path.Combine(fixture.Tutorial.Home, "my-hook", "tests", "MyHook.Tests");
        var project = File.ReadAllText(Path.Combine(tests, "MyHook.Tests.csproj"));
        Assert.Contains($"<PackageReference Include=\"Pukeko.Hooks.Testing\" Version=\"{Version}\"", project, StringComparison.Ordinal);
        Assert.Contains("<ProjectReference Include=\"../../src/MyHook/MyHook.csproj\"", project, StringComparison.Ordinal);
        Assert.Contains("HookTestServer.StartAsync(new MyHookLibrary()", File.ReadAllText(Path.Combine(tests, "MyHookTests.cs")), StringComparison.Ordinal);

        // The kit and the engine it carries came from the feed, not from the checkout.
        var output = Path.Combine(tests, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "Pukeko.Hooks.Testing.dll")), "Pukeko.Hooks.Testing.dll not beside the tests");
        Assert.True(File.Exists(Path.Combine(output, "Pukeko.Server.dll")), "the engine (Pukeko.Server.dll) not beside the tests");
        Assert.DoesNotContain("NU1603", fixture.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFeedHoldsTheSdkPackagesAtTheHooksApiVersionWithDocsAndSources()
    {
        foreach (var id in new[] { "Pukeko.Protocol", "Pukeko.Hooks", "Pukeko.Hooks.Testing" })
        {
            using var package = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
            var names = package.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains($"lib/net10.0/{id}.dll", names);
            Assert.Contains($"lib/net10.0/{id}.xml", names);
            Assert.Contains("README.md", names);
            var nuspec = Read(package, $"{id}.nuspec");
            Assert.Contains($"<version>{Version}</version>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);

            // Sources travel inside the PDB: the debugger needs neither the repository nor a remote.
            using var pdb = new MemoryStream();
            using (var stream = package.GetEntry($"lib/net10.0/{id}.pdb")!.Open())
            {
                stream.CopyTo(pdb);
            }

            pdb.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
            var reader = provider.GetMetadataReader();
            var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
            var embedded = reader.CustomDebugInformation.Count(h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == embeddedSource);
            Assert.True(embedded > 0 && embedded >= reader.Documents.Count - 2, $"{id}: {embedded} of {reader.Documents.Count} sources embedded");
        }

        using var hooks = ZipFile.OpenRead(Path.Combine(Feed, $"Pukeko.Hooks.{Version}.nupkg"));
        Assert.Contains($"<dependency id=\"Pukeko.Protocol\" version=\"{Version}\"", Read(hooks, "Pukeko.Hooks.nuspec"), StringComparison.Ordinal);

        // The test kit carries the engine inside (internal types, never a hook library's reference) and needs the SDK of its version.
        using var kit = ZipFile.OpenRead(Path.Combine(Feed, $"Pukeko.Hooks.Testing.{Version}.nupkg"));
        Assert.Contains("lib/net10.0/Pukeko.Server.dll", kit.Entries.Select(e => e.FullName));
        var kitSpec = Read(kit, "Pukeko.Hooks.Testing.nuspec");
        Assert.Contains($"<dependency id=\"Pukeko.Hooks\" version=\"{Version}\"", kitSpec, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"Pukeko.Server\"", kitSpec, StringComparison.Ordinal);

        using var templates = ZipFile.OpenRead(Path.Combine(Feed, $"Pukeko.Templates.{Version}.nupkg"));
        Assert.Contains("<packageType name=\"Template\" />", Read(templates, "Pukeko.Templates.nuspec"), StringComparison.Ordinal);
        Assert.Contains("content/pukeko-hook/.template.config/template.json", templates.Entries.Select(e => e.FullName));
        Assert.Contains("content/pukeko-hook/tests/PukekoHook.Tests/PukekoHook.Tests.csproj", templates.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void EveryExampleBuildsFromACopyOfItsOwnFolderAgainstThePackages()
    {
        var examples = Path.Combine(fixture.Tutorial.Home, "examples");
        Directory.CreateDirectory(examples);
        // The feed as the tutorial configured it for ~/my-hook, for every folder below.
        File.Copy(Path.Combine(fixture.Tutorial.Home, "my-hook", "nuget.config"), Path.Combine(examples, "nuget.config"));
        var names = Directory.GetDirectories(Path.Combine(HookTutorial.RepoRoot, "examples", "hooks")).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var source = Path.Combine(HookTutorial.RepoRoot, "examples", "hooks", name!);
            var copy = Path.Combine(examples, name!);
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories)
                         .Where(f => !Path.GetRelativePath(source, f).Split('/').Any(part => part is "bin" or "obj")))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var output = fixture.Tutorial.Bash(copy, "dotnet build -c Release -nologo");
            var library = Path.Combine(copy, "bin", "Release", "net10.0", name + ".dll");
            Assert.True(File.Exists(library), $"{name}: {library} not built:\n{output}");
            Assert.False(File.Exists(Path.Combine(copy, "bin", "Release", "net10.0", "Pukeko.Hooks.dll")), $"{name}: Pukeko.Hooks.dll copied beside it");
            Assert.Equal(new Version(HooksApiVersion.Major, HooksApiVersion.Minor, 0, 0), ReferencedVersion(library, "Pukeko.Hooks"));
        }
    }

    private static Version? ReferencedVersion(string assembly, string name)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(reader.GetAssemblyReference)
            .Where(r => reader.GetString(r.Name) == name)
            .Select(r => r.Version)
            .SingleOrDefault();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+(?<passed>\d+),.*MyHook\.Tests\.dll")]
    private static partial System.Text.RegularExpressions.Regex TestSummary();

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(package.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
