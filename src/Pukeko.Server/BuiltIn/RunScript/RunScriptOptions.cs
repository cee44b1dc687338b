using System.Text.Json;

namespace Pukeko.Server.BuiltIn.RunScript;

/// <summary>
/// The <c>parameters</c> of Kea's run script library (<c>libdhcp_run_script.so</c>), parsed and checked: <c>name</c>
/// (the script, mandatory) and <c>sync</c> (only <c>false</c>: Kea 2.2 documents synchronous calls as not supported,
/// and Pukeko never makes a packet wait for a script). Other keys are ignored, as Kea does.
/// </summary>
internal sealed record RunScriptOptions
{
    /// <summary>How many scripts may run at once; more wait in the queue.</summary>
    public const int DefaultMaxRunning = 8;

    /// <summary>How many script runs may wait; past that a run is dropped and counted.</summary>
    public const int DefaultQueueLimit = 1024;

    /// <summary>The script, as configured (Kea runs it by this path, with no shell).</summary>
    public required string Name { get; init; }

    /// <summary>Scripts running at once at most.</summary>
    public int MaxRunning { get; init; } = DefaultMaxRunning;

    /// <summary>Runs waiting for a free slot at most.</summary>
    public int QueueLimit { get; init; } = DefaultQueueLimit;

    /// <summary>
    /// Reads <paramref name="parameters"/>. Problems go to <paramref name="error"/> with the JSON path of the value
    /// (<paramref name="path"/> is the path of <c>parameters</c>); null is returned when there was any.
    /// </summary>
    public static RunScriptOptions? Parse(JsonElement? parameters, string path, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (parameters is not { ValueKind: JsonValueKind.Object } map)
        {
            error(path, "the run script library needs parameters with the mandatory 'name' of the script");
            return null;
        }

        var ok = true;
        if (map.TryGetProperty("sync", out var sync))
        {
            if (sync.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error($"{path}/sync", "the 'sync' parameter must be a boolean");
                ok = false;
            }
            else if (sync.GetBoolean())
            {
                error($"{path}/sync", "'sync': true is not supported (Kea 2.2 documents synchronous script calls as not supported); Pukeko runs the script asynchronously only, so set it to false or leave it out");
                ok = false;
            }
        }

        if (!map.TryGetProperty("name", out var name))
        {
            error(path, "the 'name' parameter is mandatory");
            return null;
        }

        if (name.ValueKind != JsonValueKind.String || name.GetString() is not { } text)
        {
            error($"{path}/name", "the 'name' parameter must be a string");
            return null;
        }

        if (text.Length == 0)
        {
            error($"{path}/name", "the 'name' parameter must name the script to run");
            return null;
        }

        return ok ? new RunScriptOptions { Name = text } : null;
    }
}
