using System.Runtime.CompilerServices;
using System.Text.Json;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>hooks-libraries</c>. Kea accepts exactly <c>library</c> and <c>parameters</c> in an entry (not even
/// <c>comment</c>); anything else is "unknown hooks library parameter". Kea's own libraries are judged here, with
/// the entry's path, by <see cref="KeaNativeLibraries"/>: built in, a warning naming what is lost, or an error.
/// Pukeko adds one key of its own, <c>pukeko-callout-budget-ms</c>.
/// </summary>
internal static class HooksLibrariesParser
{
    private static readonly KeyTable<StrongBox<HooksLibraryConfig>> Keys = new KeyTable<StrongBox<HooksLibraryConfig>>("hooks-libraries")
        .Forbid("user-context", "comment")
        .On("library", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            if (s.Trim().Length == 0)
            {
                c.Error(p, "hooks library path must not be empty");
                return;
            }

            var native = KeaNativeLibraries.Find(s);
            switch (native)
            {
                case { Kind: KeaNativeLibraryKind.NotBuiltIn }:
                    c.Warn(p, native.Message);
                    break;
                case { Kind: KeaNativeLibraryKind.Refused }:
                    c.Error(p, native.Message);
                    return;
            }

            // A bare file name refers to the hooks directory (KEA_HOOKS_PATH), as in Kea. Kea's own libraries are
            // never loaded from their file, so where their path points is no risk: only a .NET assembly, which is
            // loaded, must lie in the hooks directory.
            var library = native is null
                ? PermittedDirectory.HookLibrary.Resolve(s, c.Environment.HooksDirectory, p, c)
                : Path.GetFullPath(Path.Combine(c.Environment.HooksDirectory, s.Trim()));
            if (library is not null)
            {
                d.Value = d.Value! with { Library = library };
            }
        })
        .On("parameters", (d, v, p, c) => d.Value = d.Value! with { Parameters = v.Clone() })
        .On(CalloutBudgetKey, (d, v, p, c) =>
        {
            // Pukeko's own key: outside "parameters", which belong to the library, so it can never clash with one of
            // the library's settings (Kea itself would reject the entry: it accepts only library and parameters).
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var ms) || ms < 1 || ms > MaxBudgetMs)
            {
                c.Error(p, $"{CalloutBudgetKey} must be an integer number of milliseconds from 1 to {MaxBudgetMs}");
                return;
            }

            d.Value = d.Value! with { CalloutBudget = TimeSpan.FromMilliseconds(ms) };
        });

    /// <summary>The per-callout time budget of a library, in milliseconds (absent: no budget, as Kea).</summary>
    public const string CalloutBudgetKey = "pukeko-callout-budget-ms";

    // A day: anything longer is a typo, and an asynchronous timeout must fit a timer.
    private const long MaxBudgetMs = 86_400_000;

    /// <summary>
    /// Kea 3.x's directory rules for what built-in libraries write or run: the forensic log's directory
    /// (<c>KEA_LEGAL_LOG_DIR</c>) and the scripts of run_script and of forensic log rotation (<c>KEA_HOOK_SCRIPTS_PATH</c>).
    /// Type mistakes are left to the library's own parameter parser, which reports them.
    /// </summary>
    private static void CheckFilesTheLibraryUses(string library, JsonElement? parameters, string path, ParseContext context)
    {
        if (parameters is not { ValueKind: JsonValueKind.Object } map)
        {
            return;
        }

        string? Text(string key) => map.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

        // Only the file backend (the default type) uses a directory and rotate scripts, and Kea checks them only then.
        if (KeaNativeLibraries.IsForensicLog(library) && Text("type") is null or "logfile")
        {
            if (Text("path") is { } directory)
            {
                PermittedDirectory.LegalLogDirectory.CheckDirectory(directory, context.Environment.LegalLogDirectory, ParseContext.Child(path, "path"), context);
            }

            foreach (var key in (ReadOnlySpan<string>)["prerotate", "postrotate"])
            {
                if (Text(key) is { } script)
                {
                    PermittedDirectory.HookScript.Resolve(script, context.Environment.HookScriptsDirectory, ParseContext.Child(path, key), context);
                }
            }
        }
        else if (KeaNativeLibraries.Find(library)?.FileName == "libdhcp_run_script.so" && Text("name") is { } name)
        {
            PermittedDirectory.HookScript.Resolve(name, context.Environment.HookScriptsDirectory, ParseContext.Child(path, "name"), context);
        }
    }

    public static void ParseList(GlobalDraft draft, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            var box = new StrongBox<HooksLibraryConfig>(new HooksLibraryConfig("", null));
            var errorsBefore = context.Errors.Count;
            if (!Keys.Walk(item, itemPath, box, context, key => $"unknown hooks library parameter '{key}'"))
            {
                continue;
            }

            if (!item.TryGetProperty("library", out _))
            {
                context.Error(itemPath, "missing mandatory parameter 'library'");
                continue;
            }

            if (context.Errors.Count == errorsBefore && BuiltIn.BuiltInLibraries.IsHookLibrary(box.Value!.Library))
            {
                CheckFilesTheLibraryUses(box.Value.Library, box.Value.Parameters, ParseContext.Child(itemPath, "parameters"), context);
                // Built in: its parameters are checked here, so a mistake is reported with its JSON path.
                // Expressions in them (flex-id, forensic log formats) see the option-defs, as in Kea, which were read first.
                var options = BuiltIn.BuiltInLibraries.ParseOptions(box.Value.Library, box.Value.Parameters, ParseContext.Child(itemPath, "parameters"), context.Environment, context.Error, context.Warn, context.Definitions);
                box.Value = box.Value with { BuiltInOptions = options };
            }

            if (context.Errors.Count == errorsBefore)
            {
                draft.HooksLibraries.Add(box.Value!);
            }
        }
    }
}
