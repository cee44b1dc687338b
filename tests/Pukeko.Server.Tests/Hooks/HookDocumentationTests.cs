using Pukeko.Hooks;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>docs/hooks.md carries the hook point table the server uses; they cannot drift.</summary>
public class HookDocumentationTests
{
    private const string Begin = "<!-- BEGIN hook points: generated from HookPoints.RenderMarkdown(); PUKEKO_UPDATE_DOCS=1 dotnet test regenerates -->\n";
    private const string End = "<!-- END hook points -->";

    private static string DocsPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pukeko.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "docs", "hooks.md");
    }

    [Fact]
    public void DocsListEveryHookPointExactlyAsTheServerDefinesIt()
    {
        var path = DocsPath();
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/hooks.md lacks the generated hook point section");
        var generated = HookPoints.RenderMarkdown();
        if (Environment.GetEnvironmentVariable("PUKEKO_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(start + Begin.Length)] + generated + text[end..]);
            return;
        }

        Assert.Equal(generated, text[(start + Begin.Length)..end]);
    }

    [Fact]
    public void EveryHookNameConstantHasAHookPointAndIndicesMatch()
    {
        var names = typeof(HookNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).Order().ToList();
        Assert.Equal(names, HookPoints.All.Select(p => p.Name).Order().ToList());
        for (var i = 0; i < HookPoints.All.Count; i++)
        {
            Assert.Equal(i, HookPoints.All[i].Index);
        }
    }
}
