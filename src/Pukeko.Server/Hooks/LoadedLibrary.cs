using System.Text.Json;
using Pukeko.Hooks;
using Pukeko.Server.Concurrency;

namespace Pukeko.Server.Hooks;

/// <summary>One hook library in the server: where it came from, its load context and entry object, what it registered.</summary>
internal sealed class LoadedLibrary
{
    public LoadedLibrary(int index, string path, JsonElement? parameters)
    {
        Index = index;
        Path = path;
        Parameters = parameters;
    }

    public int Index { get; }

    public string Path { get; }

    /// <summary>File name, the name <c>libreload</c> and log lines use.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    public JsonElement? Parameters { get; }

    /// <summary>The entry's <c>pukeko-callout-budget-ms</c>: how long one callout may take; null (Kea's behaviour) for no limit.</summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>Null for libraries registered in-process.</summary>
    public HookLibraryLoadContext? Context { get; set; }

    public HookLibrary? Entry { get; set; }

    public ServerLibraryHandle? Handle { get; set; }

    public List<HookRegistration> Registrations { get; } = [];

    public Dictionary<string, CommandHandler> Commands { get; } = new(StringComparer.Ordinal);

    /// <summary>Callouts and command handlers of this library running now; closed when it is being unloaded.</summary>
    public InFlightGate Calls { get; } = new();

    /// <summary>True when it was loaded from a file (so <c>libreload</c> can load it again).</summary>
    public bool FromFile => Context is not null;
}
