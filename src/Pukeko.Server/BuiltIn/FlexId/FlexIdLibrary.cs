using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Hooks.Hosts;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification.Expressions;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.BuiltIn.FlexId;

/// <summary>
/// Kea's flexible identifier library, built in: loaded like a hook library when the configuration names
/// <c>libdhcp_flex_id.so</c>, on the hook points Kea's library uses. <c>host6_identifier</c> answers the
/// <c>identifier-expression</c> evaluated on the query (when not empty) as the <c>flex-id</c> host identifier.
/// <c>pkt6_receive</c> applies <c>ignore-iaid</c> (a lone IA_NA or IA_PD gets IAID 0) and, with
/// <c>replace-client-id</c>, puts a DUID of two zero bytes and the identifier in place of the client's, so leases
/// belong to the identifier; <c>pkt6_send</c> gives the reply back the client's own DUID and IAIDs. The identifier
/// is computed once per packet and kept in the packet's context, as Kea does.
/// </summary>
internal sealed class FlexIdLibrary : HookLibrary
{
    private const string IdContext = "id_value";
    private const string DuidContext = "duid";
    private const string ReplacedContext = "duid_replaced";
    private const string NaCountContext = "iana_count";
    private const string PdCountContext = "iapd_count";
    private const string NaIaidContext = "iana_iaid";
    private const string PdIaidContext = "iapd_iaid";

    private readonly FlexIdOptions _options;
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public FlexIdLibrary(FlexIdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Kea's logger name for this library's messages.</summary>
    public const string LoggerName = "kea-dhcp6.flex-id-hooks";

    public override bool MultiThreadingCompatible => true;

    public FlexIdOptions Options => _options;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _log = handle.Loggers.CreateLogger(LoggerName);
        if (_options.Expression is null)
        {
            _log.LogDebug(new EventId(0, "FLEX_ID_NO_IDENTIFIER_EXPRESSION"), "identifier-expression is either not specified or empty");
        }

        if (_options.IgnoreIaid)
        {
            _log.LogWarning(new EventId(0, "FLEX_ID_IGNORE_IAID_ENABLED"), "the ignore-iaid is set. It only has an effect on clients with at most one IA_NA and one IA_PD.");
        }

        handle.RegisterCallout(HookNames.Pkt6Receive, Received);
        handle.RegisterCallout(HookNames.Host6Identifier, Identifier);
        handle.RegisterCallout(HookNames.Pkt6Send, Sending);
        return 0;
    }

    public override int Unload()
    {
        _log.LogInformation(new EventId(0, "FLEX_ID_UNLOAD"), "Flex-id library has been unloaded.");
        return 0;
    }

    /// <summary>The identifier of <paramref name="query"/>: the one this packet's context holds, else the expression's value (remembered when not empty).</summary>
    private byte[] Retrieve(CalloutHandle handle, ExpressionNode expression, Dhcp6Packet query)
    {
        if (handle.TryGetContext<byte[]>(IdContext, out var known))
        {
            return known;
        }

        var id = ExpressionEvaluator.Evaluate(expression, query);
        if (_log.IsEnabled(LogLevel.Debug))
        {
            if (IsPrintable(id))
            {
                _log.LogDebug(new EventId(0, "FLEX_ID_EXPRESSION_EVALUATED"), "Expression evaluated for packet to \"{Value}\" (size: {Size})", System.Text.Encoding.ASCII.GetString(id), id.Length);
            }
            else
            {
                _log.LogDebug(new EventId(0, "FLEX_ID_EXPRESSION_EVALUATED_NP"), "Expression evaluated for packet to 0x{Value} (size: {Size})", Convert.ToHexString(id), id.Length);
            }
        }

        if (id.Length > 0)
        {
            handle.SetContext(IdContext, id);
            _log.LogDebug(new EventId(0, "FLEX_ID_EXPRESSION_HEX"), "evaluated expression in hexadecimal form \"{Value}\"", HexText.Format(id));
        }

        return id;
    }

    private int Identifier(CalloutHandle handle)
    {
        if (handle.Status is NextStep.Drop or NextStep.Skip || _options.Expression is not { } expression)
        {
            return 0;
        }

        var id = Retrieve(handle, expression, handle.GetArgument<Dhcp6Packet>("query6"));
        if (id.Length > 0)
        {
            handle.SetArgument("id_value", id);
            handle.SetArgument("id_type", HostIdentifierType.FlexId);
        }

        return 0;
    }

    private int Received(CalloutHandle handle)
    {
        if (handle.Status is NextStep.Drop or NextStep.Skip)
        {
            return 0;
        }

        var query = handle.GetArgument<Dhcp6Packet>("query6");
        if (_options.IgnoreIaid)
        {
            IgnoreIaids(handle, query.Message.Options);
        }

        if (!_options.ReplaceClientId || _options.Expression is not { } expression)
        {
            return 0;
        }

        var id = Retrieve(handle, expression, query);
        if (id.Length == 0)
        {
            return 0;
        }

        // DUID type 0 is no type RFC 8415 defines, so the synthesized DUID cannot equal a real one.
        var bytes = new byte[id.Length + 2];
        id.CopyTo(bytes, 2);
        var synthesized = new DuidOption(OptionCode.ClientId, new Duid(bytes));
        var options = query.Message.Options;
        var index = options.IndexOf(OptionCode.ClientId);
        if (index >= 0)
        {
            handle.SetContext(DuidContext, options[index]);
            options.RemoveAll(OptionCode.ClientId);
            options.Insert(index, synthesized);
        }
        else
        {
            options.Add(synthesized);
        }

        handle.SetContext(ReplacedContext, true);
        _log.LogDebug(new EventId(0, "FLEX_ID_USED_AS_DUID"), "using flexible identifier \"{Duid}\" as DUID", HexText.Format(bytes));
        return 0;
    }

    /// <summary>IAID 0 for the IA_NA and the IA_PD that are alone of their kind; the client's IAIDs are kept in the context.</summary>
    private void IgnoreIaids(CalloutHandle handle, OptionCollection options)
    {
        var naCount = options.CountOf(OptionCode.IaNa);
        var pdCount = options.CountOf(OptionCode.IaPd);
        handle.SetContext(NaCountContext, naCount);
        handle.SetContext(PdCountContext, pdCount);
        if (naCount > 1)
        {
            _log.LogDebug(new EventId(0, "FLEX_ID_IGNORE_IAID_NOT_APPLIED_ON_NA"), "the ignore-iaid was not applied on the packet because it contains more than one IA_NA.");
        }

        if (pdCount > 1)
        {
            _log.LogDebug(new EventId(0, "FLEX_ID_IGNORE_IAID_NOT_APPLIED_ON_PD"), "the ignore-iaid was not applied on the packet because it contains more than one IA_PD.");
        }

        if (naCount == 1 && options.Get<IaNaOption>(OptionCode.IaNa) is { } na)
        {
            handle.SetContext(NaIaidContext, na.Iaid);
            _log.LogDebug(new EventId(0, "FLEX_ID_IGNORE_IAID_APPLIED_ON_NA"), "the ignore-iaid has changed IAID ({Iaid}) to 0 for the IA_NA option.", na.Iaid);
            na.Iaid = 0;
        }

        if (pdCount == 1 && options.Get<IaPdOption>(OptionCode.IaPd) is { } pd)
        {
            handle.SetContext(PdIaidContext, pd.Iaid);
            _log.LogDebug(new EventId(0, "FLEX_ID_IGNORE_IAID_APPLIED_ON_PD"), "the ignore-iaid has changed IAID ({Iaid}) to 0 for the IA_PD option.", pd.Iaid);
            pd.Iaid = 0;
        }
    }

    private int Sending(CalloutHandle handle)
    {
        if (handle.Status == NextStep.Drop)
        {
            return 0;
        }

        var response = handle.GetArgument<Dhcp6Packet>("response6");
        if (_options.IgnoreIaid)
        {
            RestoreIaids(handle, response.Message.Options);
        }

        if (!handle.TryGetContext<bool>(ReplacedContext, out var replaced) || !replaced)
        {
            return 0;
        }

        if (handle.Status == NextStep.Skip)
        {
            // Kea's library refuses too: the reply is already packed, with the synthesized DUID in it.
            throw new InvalidOperationException("packet pack already handled");
        }

        var options = response.Message.Options;
        var index = options.IndexOf(OptionCode.ClientId);
        options.RemoveAll(OptionCode.ClientId);
        if (handle.TryGetContext<DhcpOption>(DuidContext, out var original) && original is not null)
        {
            options.Insert(index >= 0 ? index : options.Count, original);
            _log.LogDebug(new EventId(0, "FLEX_ID_RESTORE_DUID"), "restoring original DUID \"{Duid}\" in the response", HexText.Format(original.GetData()));
        }

        return 0;
    }

    private static void RestoreIaids(CalloutHandle handle, OptionCollection options)
    {
        if (handle.TryGetContext<int>(NaCountContext, out var naCount) && naCount == 1 && handle.TryGetContext<uint>(NaIaidContext, out var naIaid))
        {
            // Index by index, so that only the IA options are copied (copy-on-retrieve is on while callouts run).
            for (var i = options.IndexOf(OptionCode.IaNa); i >= 0; i = options.IndexOf(OptionCode.IaNa, i + 1))
            {
                if (options[i] is IaNaOption na)
                {
                    na.Iaid = naIaid;
                }
            }
        }

        if (handle.TryGetContext<int>(PdCountContext, out var pdCount) && pdCount == 1 && handle.TryGetContext<uint>(PdIaidContext, out var pdIaid))
        {
            for (var i = options.IndexOf(OptionCode.IaPd); i >= 0; i = options.IndexOf(OptionCode.IaPd, i + 1))
            {
                if (options[i] is IaPdOption pd)
                {
                    pd.Iaid = pdIaid;
                }
            }
        }
    }

    /// <summary>Printable ASCII, as Kea's <c>isPrintable</c> decides whether to log the identifier as text.</summary>
    private static bool IsPrintable(byte[] value)
    {
        foreach (var b in value)
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }

        return true;
    }
}
