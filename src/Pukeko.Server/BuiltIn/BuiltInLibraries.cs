using System.Text.Json;
using Pukeko.Hooks;
using Pukeko.Server.BuiltIn.FlexId;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.BuiltIn.LeaseQuery;
using Pukeko.Server.BuiltIn.Limits;
using Pukeko.Server.BuiltIn.Rbac;
using Pukeko.Server.BuiltIn.RunScript;
using Pukeko.Server.Configuration;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Hooks;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.BuiltIn;

/// <summary>
/// Kea libraries whose function is built in as a hook library of the server's own: the loader creates the entry
/// object here instead of loading a file, then treats it like any loaded library (same hook points, arguments, order).
/// Kea libraries built in elsewhere (lease_cmds' commands are in the control channel) have no entry here.
/// </summary>
internal static class BuiltInLibraries
{
    private const string ForensicLog = "forensic";
    private const string FlexId = "libdhcp_flex_id.so";
    private const string RunScript = "libdhcp_run_script.so";
    private const string Limits = "libdhcp_limits.so";
    private const string HighAvailability = "libdhcp_ha.so";
    private const string LeaseQuery = "libdhcp_lease_query.so";
    private const string Rbac = "libdhcp_rbac.so";

    /// <summary>Which built-in entry serves the library at <paramref name="libraryPath"/>; null when none does.</summary>
    private static string? Kind(string libraryPath) => KeaNativeLibraries.IsForensicLog(libraryPath)
        ? ForensicLog
        : KeaNativeLibraries.Find(libraryPath)?.FileName switch
        {
            FlexId => FlexId,
            RunScript => RunScript,
            Limits => Limits,
            HighAvailability => HighAvailability,
            LeaseQuery => LeaseQuery,
            Rbac or "libca_rbac.so" => Rbac,
            _ => null,
        };

    /// <summary>
    /// True when the library's parameters are parsed here. All but HA, lease query and RBAC are also served by an entry
    /// object created here; those are server components (<see cref="HaConfig"/>, <see cref="LeaseQueryOptions"/>,
    /// <see cref="RbacOptions"/>, which the HTTP control sockets apply), so <see cref="Create"/> gives null for them.
    /// </summary>
    public static bool IsHookLibrary(string libraryPath) => Kind(libraryPath) is not null;

    /// <summary>
    /// The parsed parameters of a library built in here, checked so that a mistake is reported with its JSON path
    /// (<paramref name="path"/> is that of <c>parameters</c>); null when the library is not one of them or there was
    /// an error (reported to <paramref name="error"/>).
    /// </summary>
    /// <param name="warn">Where parameters that are accepted but not applied are reported, with their JSON path.</param>
    public static object? ParseOptions(
        string libraryPath, JsonElement? parameters, string path, ConfigEnvironment environment, Action<string, string> error, Action<string, string>? warn = null,
        Pukeko.Protocol.Options.Definitions.OptionDefinitionSet? definitions = null) =>
        Kind(libraryPath) switch
        {
            ForensicLog => ForensicLogOptions.Parse(parameters, path, environment.LegalLogDirectory, error, definitions),
            FlexId => FlexIdOptions.Parse(parameters, path, error, definitions),
            RunScript => RunScriptOptions.Parse(parameters, path, error),
            Limits => LimitsOptions.Parse(parameters, path, error),
            HighAvailability => HaConfigParser.Parse(parameters, path, error, warn),
            LeaseQuery => LeaseQueryOptions.Parse(parameters, path, error),
            Rbac => RbacOptions.Parse(parameters, path, error, warn),
            _ => null,
        };

    /// <summary>
    /// Checks what built-in libraries read from the rest of the configuration rather than their parameters (the limits
    /// library's user contexts, the HA listener's port beside the control sockets), so that a mistake fails the load
    /// (and <c>-t</c>) with its JSON path.
    /// </summary>
    public static void CheckConfiguration(DhcpConfig config, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(config);
        HaDedicatedListener.Check(config, error);
        if (config.HooksLibraries.Any(l => Kind(l.Library) == Limits))
        {
            LimitsConfiguration.Parse(
                config.Source,
                text => Pukeko.Protocol.Addressing.Ipv6Prefix.TryParse(text.Trim(), out var prefix, out _) ? config.Subnets.FirstOrDefault(s => s.Prefix == prefix)?.Id : null,
                error);
        }
    }

    /// <summary>The entry object for <paramref name="config"/>, or null when the library is not one built in this way.</summary>
    /// <exception cref="HookLoadException">The library's parameters are wrong.</exception>
    /// <param name="statistics">Where a library's own counters go (the server's registry); null counts nothing there.</param>
    /// <param name="forensic">The forensic log's syslog socket and database opener; null: /dev/log and no database.</param>
    public static HookLibrary? Create(HooksLibraryConfig config, TimeProvider time, StatisticsRegistry? statistics = null, ForensicLogBackends? forensic = null)
    {
        var kind = Kind(config.Library);
        if (kind is null)
        {
            return null;
        }

        var options = config.BuiltInOptions;
        if (options is null)
        {
            var errors = new List<string>();
            options = ParseOptions(config.Library, config.Parameters, "parameters", ConfigEnvironment.FromEnvironment(), (path, message) => errors.Add($"{path}: {message}"))
                ?? throw new HookLoadException($"hooks library {config.Library}: {string.Join("; ", errors)}");
        }

        return options switch
        {
            ForensicLogOptions forensicOptions => new ForensicLogLibrary(forensicOptions, time, forensic),
            FlexIdOptions flexId => new FlexIdLibrary(flexId),
            RunScriptOptions runScript => new RunScriptLibrary(runScript, statistics),
            LimitsOptions limits => new LimitsLibrary(limits, time, statistics),
            HaConfig => null,
            LeaseQueryOptions => null,
            RbacOptions => null,
            _ => throw new HookLoadException($"hooks library {config.Library}: its parameters were parsed for another library"),
        };
    }
}
