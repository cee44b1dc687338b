using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification.Expressions;
using Pukeko.Server.Hooks;
using Pukeko.Hooks.Configuration;
using Pukeko.Hooks.Leases;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// Kea's forensic logging library, built in: the server loads it like a hook library when the configuration names
/// <c>libdhcp_legal_log.so</c> or <c>libdhcp_forensic_log.so</c>, and it takes part in the same hook points Kea's
/// library does, with the same arguments. Per client exchange: <c>pkt6_receive</c> clears what the packet's context
/// holds, <c>lease6_release</c>/<c>lease6_decline</c> and then <c>leases6_committed</c> record which leases the reply
/// assigned and which it gave up, and <c>pkt6_send</c> writes one entry per lease (unless a callout before it
/// dropped or skipped the step). Per command: <c>command_processed</c> writes the successful lease6-add, -update,
/// -del and -bulk-apply commands. Subnets with <c>"legal-logging": false</c> in their user context are not logged.
/// </summary>
internal sealed class ForensicLogLibrary : HookLibrary
{
    private const string LeasesContext = "leases6";
    private const string DeletedContext = "deleted_leases6";

    private readonly ForensicLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ForensicLogBackends _backends;
    private ForensicLogFile? _file;
    private IForensicLogSink? _sink;
    private long _writeErrors;
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private volatile FrozenSet<long> _unlogged = FrozenSet<long>.Empty;

    public ForensicLogLibrary(ForensicLogOptions options, TimeProvider? time = null, ForensicLogBackends? backends = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _backends = backends ?? ForensicLogBackends.Default;
    }

    /// <summary>Kea's logger name for this library's messages.</summary>
    public const string LoggerName = "kea-dhcp6.legal-log-hooks";

    public override bool MultiThreadingCompatible => true;

    /// <summary>The file being written; null when not loaded or not writing to files.</summary>
    public string? FileName => _file?.FileName;

    /// <summary>
    /// Entries that could not be stored: those refused when written (each logged with its message id, the callout
    /// then returning an error) and those a background sink failed to store later.
    /// </summary>
    public long WriteErrors => Interlocked.Read(ref _writeErrors) + (_sink?.DeferredFailures ?? 0);

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _log = handle.Loggers.CreateLogger(LoggerName);
        switch (_options.Type)
        {
            case ForensicLogType.Syslog:
                _log.LogInformation(new EventId(0, "LEGAL_LOG_SYSLOG_STORE_OPEN"), "opening Legal Syslog: type=syslog facility={Facility}{Pattern}",
                    _options.Facility, _options.Pattern is null ? string.Empty : " pattern=" + _options.Pattern);
                _sink = new ForensicSyslog(_options, _backends.SyslogSocketPath, _time, warning => _log.LogWarning(new EventId(0, "LEGAL_LOG_SYSLOG_STORE_OPEN"), "opening Legal Syslog: {Warning}", warning));
                break;
            case ForensicLogType.PostgreSql:
                // The sink connects with its first entry, so that checking a configuration (-t) connects to nothing.
                var open = _backends.OpenPostgreSql ?? throw new HookLoadException("the forensic log type 'postgresql' is not available in this host");
                _sink = open(_options.Database ?? throw new HookLoadException("the forensic log type 'postgresql' needs a database"), handle.Loggers);
                break;
            default:
                if (!Directory.Exists(_options.Directory))
                {
                    throw new DirectoryNotFoundException($"the forensic log directory {_options.Directory} does not exist");
                }

                // The file is opened by the first entry, so that checking a configuration (-t) creates no file.
                _file = new ForensicLogFile(_options, _time, _log);
                _sink = _file;
                break;
        }

        handle.RegisterCallout(HookNames.Dhcp6SrvConfigured, Configured);
        handle.RegisterCallout(HookNames.Pkt6Receive, Received);
        handle.RegisterCallout(HookNames.Lease6Release, GivenUp);
        handle.RegisterCallout(HookNames.Lease6Decline, GivenUp);
        handle.RegisterCallout(HookNames.Leases6Committed, Committed);
        handle.RegisterCallout(HookNames.Pkt6Send, Sending);
        handle.RegisterCallout(HookNames.CommandProcessed, CommandProcessed);
        return 0;
    }

    public override int Unload()
    {
        _sink?.Dispose();
        _sink = null;
        _file = null;
        return 0;
    }

    /// <summary>Subnet ids whose user context has <c>"legal-logging": false</c>.</summary>
    public static FrozenSet<long> UnloggedSubnets(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Subnets
            .Where(s => s.UserContext is { ValueKind: JsonValueKind.Object } context
                && context.TryGetProperty("legal-logging", out var logging) && logging.ValueKind == JsonValueKind.False)
            .Select(s => (long)s.Id)
            .ToFrozenSet();
    }

    /// <summary>
    /// The entry for one lease: the custom formats evaluated on the query and response when configured (each sees
    /// only the IA_NA or IA_PD holding this lease, with only this lease's address or prefix in it), Kea's default
    /// wording otherwise.
    /// </summary>
    public string Entry(Lease6 lease, Dhcp6Packet? query, Dhcp6Packet? response, ForensicLogEntries.LeaseAction action)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!_options.HasCustomFormat)
        {
            return ForensicLogEntries.Lease(lease, query, action);
        }

        var text = new StringBuilder();
        if (_options.RequestFormat is { } request && query is not null)
        {
            text.Append(Encoding.UTF8.GetString(ExpressionEvaluator.Evaluate(request, ForLease(query, lease))));
        }

        if (_options.ResponseFormat is { } reply && response is not null)
        {
            text.Append(Encoding.UTF8.GetString(ExpressionEvaluator.Evaluate(reply, ForLease(response, lease))));
        }

        return text.ToString();
    }

    /// <summary>A view of <paramref name="packet"/> in which the IA options show only <paramref name="lease"/>.</summary>
    internal static Dhcp6Packet ForLease(Dhcp6Packet packet, Lease6 lease)
    {
        var message = new Dhcp6Message(packet.Message.Type, packet.Message.TransactionId);
        var kept = false;
        foreach (var option in packet.Message.Options)
        {
            switch (option)
            {
                case IaNaOption na:
                    if (!kept && lease.Type == LeaseType.NA && na.Iaid == lease.Iaid && na.Options.GetAll(OptionCode.IaAddr).OfType<IaAddressOption>().FirstOrDefault(a => a.Address == lease.Address) is { } address)
                    {
                        var only = new IaNaOption(na.Iaid, na.T1, na.T2);
                        only.Options.Add(address);
                        AddOthers(na.Options, only.Options);
                        message.Options.Add(only);
                        kept = true;
                    }

                    break;
                case IaPdOption pd:
                    if (!kept && lease.Type == LeaseType.PD && pd.Iaid == lease.Iaid && pd.Options.GetAll(OptionCode.IaPrefix).OfType<IaPrefixOption>().FirstOrDefault(p => p.Prefix == lease.Address && p.PrefixLength == lease.PrefixLength) is { } prefix)
                    {
                        var only = new IaPdOption(pd.Iaid, pd.T1, pd.T2);
                        only.Options.Add(prefix);
                        AddOthers(pd.Options, only.Options);
                        message.Options.Add(only);
                        kept = true;
                    }

                    break;
                default:
                    message.Options.Add(option);
                    break;
            }
        }

        var view = new Dhcp6Packet(message)
        {
            RemoteAddress = packet.RemoteAddress,
            RemotePort = packet.RemotePort,
            LocalAddress = packet.LocalAddress,
            LocalPort = packet.LocalPort,
            InterfaceIndex = packet.InterfaceIndex,
            InterfaceName = packet.InterfaceName,
            ReceivedAt = packet.ReceivedAt,
            Data = packet.Data,
        };
        view.Relays.AddRange(packet.Relays);
        foreach (var name in packet.Classes)
        {
            view.Classes.Add(name);
        }

        return view;

        static void AddOthers(OptionCollection from, OptionCollection to)
        {
            foreach (var sub in from)
            {
                if (sub.Code is not (OptionCode.IaAddr or OptionCode.IaPrefix))
                {
                    to.Add(sub);
                }
            }
        }
    }

    private int Configured(CalloutHandle handle)
    {
        if (handle.TryGetArgument<ServerConfig>("server_config", out var config) && config is not null)
        {
            _unlogged = UnloggedSubnets(config);
        }

        return 0;
    }

    private int Received(CalloutHandle handle)
    {
        handle.SetContext<IReadOnlyList<Lease6>?>(LeasesContext, null);
        handle.SetContext<IReadOnlyList<Lease6>?>(DeletedContext, null);
        return 0;
    }

    private int GivenUp(CalloutHandle handle)
    {
        if (handle.Status is NextStep.Drop or NextStep.Skip || !handle.TryGetArgument<Lease6>("lease6", out var lease) || lease is null)
        {
            return 0;
        }

        handle.SetContext<IReadOnlyList<Lease6>?>(LeasesContext, []);
        handle.SetContext<IReadOnlyList<Lease6>?>(DeletedContext, [lease.Clone()]);
        return 0;
    }

    private int Committed(CalloutHandle handle)
    {
        if (handle.Status is NextStep.Drop or NextStep.Skip)
        {
            return 0;
        }

        handle.SetContext(LeasesContext, handle.TryGetArgument<IReadOnlyList<Lease6>>("leases6", out var leases) ? leases : null);
        handle.SetContext(DeletedContext, handle.TryGetArgument<IReadOnlyList<Lease6>>("deleted_leases6", out var deleted) ? deleted : null);
        return 0;
    }

    private int Sending(CalloutHandle handle)
    {
        if (handle.Status is NextStep.Drop or NextStep.Skip)
        {
            return 0;
        }

        handle.TryGetArgument<Dhcp6Packet>("query6", out var query);
        handle.TryGetArgument<Dhcp6Packet>("response6", out var response);
        var result = 0;
        foreach (var (name, action) in (ReadOnlySpan<(string, ForensicLogEntries.LeaseAction)>)[(LeasesContext, ForensicLogEntries.LeaseAction.Assigned), (DeletedContext, ForensicLogEntries.LeaseAction.Released)])
        {
            if (!handle.TryGetContext<IReadOnlyList<Lease6>?>(name, out var leases) || leases is null)
            {
                continue;
            }

            foreach (var lease in leases)
            {
                if (!WriteLease(lease, query, response, action))
                {
                    result = 1;
                }
            }
        }

        return result;
    }

    private bool WriteLease(Lease6 lease, Dhcp6Packet? query, Dhcp6Packet? response, ForensicLogEntries.LeaseAction action)
    {
        if (_unlogged.Contains(lease.SubnetId))
        {
            return true;
        }

        string text;
        try
        {
            text = Entry(lease, query, response, action);
        }
        catch (ExpressionEvaluationException ex)
        {
            _log.LogError(new EventId(0, "LEGAL_LOG_LEASE6_RENDER_ERROR"), "Could not render custom entry for address {Address}, DUID {Duid}: {Reason}", lease.Address, ForensicLogEntries.Hex(lease.Duid.Bytes), ex.Message);
            return false;
        }

        return Write(text, Address(lease), "LEGAL_LOG_LEASE6_WRITE_ERROR");
    }

    private int CommandProcessed(CalloutHandle handle)
    {
        try
        {
            var name = handle.GetArgument<string>("name");
            handle.TryGetArgument<JsonNode?>("arguments", out var arguments);
            handle.TryGetArgument<JsonObject>("response", out var response);
            var result = 0;
            foreach (var entry in ForensicLogEntries.CommandEntries(name, arguments, response, _time.GetUtcNow(), _unlogged.Contains))
            {
                if (!Write(entry.Text, entry.Address, "LEGAL_LOG_COMMAND_WRITE_ERROR"))
                {
                    result = 1;
                }
            }

            return result;
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or InvalidCastException or InvalidOperationException)
        {
            _log.LogError(new EventId(0, "LEGAL_LOG_COMMAND_WRITE_ERROR"), "Could not write command entry to the legal store: {Reason}", ex.Message);
            Interlocked.Increment(ref _writeErrors);
            return 1;
        }
    }

    /// <summary>Kea's address of a lease entry (the <c>address</c> column): the address, or <c>prefix/length</c>.</summary>
    internal static string Address(Lease6 lease) =>
        lease.Type == LeaseType.PD ? $"{lease.Address}/{lease.PrefixLength}" : lease.Address.ToString();

    /// <summary>
    /// Hands one entry to the backend. A failure is logged with <paramref name="errorId"/> and counted, and the callout
    /// returns 1 (Kea 3.0's callouts do the same; the hooks manager logs HOOKS_CALLOUT_ERROR and the packet goes on).
    /// </summary>
    private bool Write(string text, string address, string errorId)
    {
        var sink = _sink;
        if (sink is null)
        {
            return false;
        }

        try
        {
            sink.Write(text, address, errorId);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or ForensicLogWriteException)
        {
            Interlocked.Increment(ref _writeErrors);
            _log.LogError(new EventId(0, errorId), "Could not write to the legal store: {Reason}", ex.Message);
            return false;
        }
    }
}
