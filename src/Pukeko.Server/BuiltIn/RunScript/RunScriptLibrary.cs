using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Hooks.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.BuiltIn.RunScript;

/// <summary>
/// Kea's run script library, built in: loaded like a hook library when the configuration names
/// <c>libdhcp_run_script.so</c>, with callouts on the DHCPv6 hook points Kea's library uses (<c>leases6_committed</c>,
/// <c>lease6_renew</c>, <c>lease6_rebind</c>, <c>lease6_release</c>, <c>lease6_decline</c>, <c>lease6_expire</c>,
/// <c>lease6_recover</c>). Each callout that sees CONTINUE takes Kea's variables from its arguments and queues a run
/// of the script with the hook point's name as argument (<see cref="ScriptRunner"/>); the packet never waits for it.
/// Kea's <c>addr6_register</c> (Kea 3.x) has no hook point here.
/// </summary>
internal sealed class RunScriptLibrary : HookLibrary
{
    private readonly RunScriptOptions _options;
    private readonly StatisticsRegistry? _statistics;
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private ScriptRunner? _runner;

    public RunScriptLibrary(RunScriptOptions options, StatisticsRegistry? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _statistics = statistics;
    }

    /// <summary>Kea's logger name for this library's messages.</summary>
    public const string LoggerName = "kea-dhcp6.run-script-hooks";

    public override bool MultiThreadingCompatible => true;

    /// <summary>The runner while loaded (its counters), else null.</summary>
    public ScriptRunner? Runner => _runner;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _log = handle.Loggers.CreateLogger(LoggerName);

        // Kea's library refuses a script that is missing or without the owner's execute bit when it loads.
        if (!File.Exists(_options.Name))
        {
            throw new FileNotFoundException($"Invalid 'name' parameter: File not found: {_options.Name}");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_options.Name) & UnixFileMode.UserExecute) == 0)
        {
            throw new UnauthorizedAccessException($"Invalid 'name' parameter: File not executable: {_options.Name}");
        }

        _runner = new ScriptRunner(_options.Name, _options.MaxRunning, _options.QueueLimit, _log, _statistics, LibraryAccounting.Prefix(handle.Index));
        handle.RegisterCallout(HookNames.Leases6Committed, Committed);
        handle.RegisterCallout(HookNames.Lease6Renew, handle => Extended(handle, HookNames.Lease6Renew));
        handle.RegisterCallout(HookNames.Lease6Rebind, handle => Extended(handle, HookNames.Lease6Rebind));
        handle.RegisterCallout(HookNames.Lease6Release, handle => QueryAndLease(handle, HookNames.Lease6Release));
        handle.RegisterCallout(HookNames.Lease6Decline, handle => QueryAndLease(handle, HookNames.Lease6Decline));
        handle.RegisterCallout(HookNames.Lease6Expire, Expired);
        handle.RegisterCallout(HookNames.Lease6Recover, Recovered);
        _log.LogInformation(new EventId(0, "RUN_SCRIPT_LOAD"), "Run Script hooks library has been loaded");
        return 0;
    }

    public override int Unload()
    {
        _runner?.Dispose();
        _runner = null;
        _log.LogInformation(new EventId(0, "RUN_SCRIPT_UNLOAD"), "Run Script hooks library has been unloaded");
        return 0;
    }

    private static bool Skipped(CalloutHandle handle) => handle.Status is NextStep.Drop or NextStep.Skip;

    private int Run(string hook, RunScriptVariables variables)
    {
        _runner?.TryEnqueue(hook, variables.Variables);
        return 0;
    }

    private int Committed(CalloutHandle handle)
    {
        if (Skipped(handle))
        {
            return 0;
        }

        var variables = new RunScriptVariables();
        variables.AddPacket(handle.TryGetArgument<Dhcp6Packet>("query6", out var query) ? query : null, "QUERY6");
        variables.AddLeases(handle.TryGetArgument<IReadOnlyList<Lease6>>("leases6", out var leases) ? leases : null, "LEASES6");
        variables.AddLeases(handle.TryGetArgument<IReadOnlyList<Lease6>>("deleted_leases6", out var deleted) ? deleted : null, "DELETED_LEASES6");
        return Run(HookNames.Leases6Committed, variables);
    }

    /// <summary>lease6_renew and lease6_rebind: the query, the lease and the reply's IA holding it.</summary>
    private int Extended(CalloutHandle handle, string hook)
    {
        if (Skipped(handle))
        {
            return 0;
        }

        var variables = new RunScriptVariables();
        variables.AddPacket(handle.TryGetArgument<Dhcp6Packet>("query6", out var query) ? query : null, "QUERY6");
        var lease = handle.TryGetArgument<Lease6>("lease6", out var l) ? l : null;
        variables.AddLease(lease, "LEASE6");
        DhcpOption? ia = lease?.Type == LeaseType.PD
            ? handle.TryGetArgument<IaPdOption>("ia_pd", out var pd) ? pd : null
            : handle.TryGetArgument<IaNaOption>("ia_na", out var na) ? na : null;
        variables.AddIa(ia, "PKT6_IA");
        return Run(hook, variables);
    }

    /// <summary>lease6_release and lease6_decline: the query and the lease.</summary>
    private int QueryAndLease(CalloutHandle handle, string hook)
    {
        if (Skipped(handle))
        {
            return 0;
        }

        var variables = new RunScriptVariables();
        variables.AddPacket(handle.TryGetArgument<Dhcp6Packet>("query6", out var query) ? query : null, "QUERY6");
        variables.AddLease(handle.TryGetArgument<Lease6>("lease6", out var lease) ? lease : null, "LEASE6");
        return Run(hook, variables);
    }

    private int Expired(CalloutHandle handle)
    {
        if (Skipped(handle))
        {
            return 0;
        }

        var variables = new RunScriptVariables();
        variables.AddLease(handle.TryGetArgument<Lease6>("lease6", out var lease) ? lease : null, "LEASE6");
        variables.AddBoolean("REMOVE_LEASE", handle.TryGetArgument<bool>("remove_lease", out var remove) && remove);
        return Run(HookNames.Lease6Expire, variables);
    }

    private int Recovered(CalloutHandle handle)
    {
        if (Skipped(handle))
        {
            return 0;
        }

        var variables = new RunScriptVariables();
        variables.AddLease(handle.TryGetArgument<Lease6>("lease6", out var lease) ? lease : null, "LEASE6");
        return Run(HookNames.Lease6Recover, variables);
    }
}
