using Pukeko.Hooks;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.BuiltIn;

/// <summary>
/// Kea libraries whose function is built in as a hook library of the server's own: the loader creates the entry
/// object here instead of loading a file, then treats it like any loaded library (same hook points, arguments, order).
/// Kea libraries built in elsewhere (lease_cmds' commands are in the control channel) have no entry here.
/// </summary>
internal static class BuiltInLibraries
{
    /// <summary>The entry object for <paramref name="config"/>, or null when the library is not one built in this way.</summary>
    /// <exception cref="HookLoadException">The library's parameters are wrong.</exception>
    public static HookLibrary? Create(HooksLibraryConfig config, TimeProvider time)
    {
        if (!KeaNativeLibraries.IsForensicLog(config.Library))
        {
            return null;
        }

        if (config.BuiltInOptions is ForensicLogOptions parsed)
        {
            return new ForensicLogLibrary(parsed, time);
        }

        var errors = new List<string>();
        var options = ForensicLogOptions.Parse(config.Parameters, "parameters", ConfigEnvironment.FromEnvironment().LegalLogDirectory, (path, message) => errors.Add($"{path}: {message}"));
        return options is not null
            ? new ForensicLogLibrary(options, time)
            : throw new HookLoadException($"hooks library {config.Library}: {string.Join("; ", errors)}");
    }
}
