using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// The tutorial of docs/hooks.md as a new hook author meets it: its shell blocks, taken from the
/// document itself, run verbatim with an empty temporary HOME outside the repository, so that
/// <c>~/pukeko-feed</c> and <c>~/my-hook</c> are fresh and the packages come from the feed just packed
/// (a NuGet cache of its own: never a stale Pukeko.Hooks from an earlier run).
/// </summary>
internal sealed partial class HookTutorial : IDisposable
{
    private const string Section = "## Tutorial: a hook library in ten minutes";

    /// <summary>The empty directory that stands in for the author's home.</summary>
    public string Home { get; } = Directory.CreateTempSubdirectory("pukeko-hook-tutorial-").FullName;

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pukeko.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("no Pukeko.slnx above " + AppContext.BaseDirectory);
        }
    }

    public static string Document => File.ReadAllText(Path.Combine(RepoRoot, "docs", "hooks.md"));

    public void Dispose() => Directory.Delete(Home, recursive: true);

    /// <summary>A fenced block of the tutorial: its language, its text, and the prose before it.</summary>
    public sealed record Block(string Language, string Text, string Preamble);

    /// <summary>Every fenced block of the tutorial section, in order.</summary>
    public static IReadOnlyList<Block> Blocks(string markdown)
    {
        var start = markdown.IndexOf(Section, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidDataException($"docs/hooks.md has no \"{Section}\" section");
        }

        var next = markdown.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var section = next < 0 ? markdown[start..] : markdown[start..next];
        var blocks = new List<Block>();
        var previousEnd = 0;
        foreach (Match match in FencedBlock().Matches(section))
        {
            var indent = match.Groups["indent"].Value;
            var lines = match.Groups["body"].Value.Split('\n')
                .Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line.TrimStart());
            blocks.Add(new Block(match.Groups["lang"].Value, string.Join('\n', lines).Trim(), section[previousEnd..match.Index]));
            previousEnd = match.Index + match.Length;
        }

        return blocks;
    }

    /// <summary>
    /// The author's commands: the sh blocks before the configuration (the first json block). A block
    /// whose prose says "In the Pukeko checkout" runs there; the others run in <see cref="Home"/>.
    /// </summary>
    public static IReadOnlyList<Block> BuildSteps(string markdown) =>
        Blocks(markdown).TakeWhile(b => b.Language != "json").Where(b => b.Language == "sh").ToList();

    /// <summary>The library path the tutorial's configuration names, with its example home replaced by <see cref="Home"/>.</summary>
    public string LibraryPath(string markdown)
    {
        var json = Blocks(markdown).First(b => b.Language == "json").Text;
        var library = LibraryValue().Match(json);
        if (!library.Success || !library.Groups["path"].Value.StartsWith("/home/me/", StringComparison.Ordinal))
        {
            throw new InvalidDataException("the tutorial's hooks-libraries block names no \"library\" under /home/me/: " + json);
        }

        return Path.Combine(Home, library.Groups["path"].Value["/home/me/".Length..]);
    }

    /// <summary>Runs the tutorial's build steps as written; returns what they printed.</summary>
    public string RunBuildSteps(string markdown)
    {
        var steps = BuildSteps(markdown);
        if (steps.Count == 0)
        {
            throw new InvalidDataException("the tutorial has no sh block before its configuration");
        }

        var output = new System.Text.StringBuilder();
        foreach (var step in steps)
        {
            var inCheckout = step.Preamble.Contains("In the Pukeko checkout", StringComparison.Ordinal);
            output.Append(Bash(inCheckout ? RepoRoot : Home, step.Text, inCheckout));
        }

        return output.ToString();
    }

    /// <summary>Runs a script under bash -e with HOME = <see cref="Home"/>.</summary>
    public string Bash(string directory, string script, bool inCheckout = false)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-euo", "pipefail", "-c", script })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = Home;
        info.Environment.Remove("DOTNET_CLI_HOME");
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The checkout's own projects restore from the machine's usual cache (they are not what is
        // tested, and their obj/ stays valid for the rest of the run); outside, the cache is the new HOME's.
        if (inCheckout)
        {
            info.Environment["NUGET_PACKAGES"] = MachinePackages;
        }
        else
        {
            info.Environment.Remove("NUGET_PACKAGES");

            // Third-party packages (Microsoft.Extensions.Logging.Abstractions) come from the machine's cache when it
            // has them, so a registry hiccup cannot fail the run; Pukeko's own packages are never in that cache.
            info.Environment["NUGET_FALLBACK_PACKAGES"] = MachinePackages;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"did not finish in 10 minutes: {script}");
        }

        var output = $"$ {script}\n{stdout.Result}{stderr.Result}";
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode} in {directory}:\n{output}");
        return output;
    }

    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [GeneratedRegex(@"^(?<indent>[ \t]*)```(?<lang>[A-Za-z0-9_-]*)[ \t]*\n(?<body>.*?)\n[ \t]*```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex("\"library\"\\s*:\\s*\"(?<path>[^\"]+)\"")]
    private static partial Regex LibraryValue();
}
