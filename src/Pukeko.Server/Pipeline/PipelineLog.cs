using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Per-packet debug lines, source-generated so a disabled level costs one check and no
/// allocation. IDs and texts follow Kea's (operators and Forge grep them).
/// </summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventName = "DHCP6_BUFFER_RECEIVED", Level = LogLevel.Debug, Message = "received buffer from {Remote}:{RemotePort} to {Local}:{LocalPort} over interface {Interface}, {Length} bytes")]
    public static partial void BufferReceived(ILogger logger, Ipv6Address remote, ushort remotePort, Ipv6Address local, ushort localPort, string @interface, int length);

    [LoggerMessage(EventName = "DHCP6_QUERY_DATA", Level = LogLevel.Trace, Message = "{Label}: received packet details: {Details}")]
    public static partial void QueryData(ILogger logger, string label, string details);

    [LoggerMessage(EventName = "DHCP6_SUBNET_SELECTED", Level = LogLevel.Debug, Message = "{Label}: the subnet with ID {Id} was selected for client assignments: {Prefix}")]
    public static partial void SubnetSelected(ILogger logger, string label, uint id, Ipv6Prefix prefix);

    [LoggerMessage(EventName = "DHCP6_SUBNET_SELECTION_FAILED", Level = LogLevel.Debug, Message = "{Label}: failed to select subnet for the client")]
    public static partial void SubnetSelectionFailed(ILogger logger, string label);

    [LoggerMessage(EventName = "DHCP6_RESPONSE_DATA", Level = LogLevel.Trace, Message = "{Label}: responding with packet type {Code} data is {Details}")]
    public static partial void ResponseData(ILogger logger, string label, int code, string details);

    [LoggerMessage(EventName = "DHCP6_PROCESS_IA_NA_REQUEST", Level = LogLevel.Debug, Message = "{Label}: server is processing IA_NA option with iaid={Iaid} and hint={Hint}")]
    public static partial void ProcessIaNaRequest(ILogger logger, string label, uint iaid, string hint);

    /// <summary>Option codes and lengths of a message, for the trace lines.</summary>
    public static string Describe(Pukeko.Protocol.Messages.Dhcp6Message message)
    {
        var text = new System.Text.StringBuilder();
        text.Append("msgtype=").Append((int)message.Type).Append('(').Append(message.Type).Append("), transid=0x").Append(message.TransactionId.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(", options:");
        foreach (var option in message.Options)
        {
            text.Append(" type=").Append(option.Code).Append(", len=").Append(option.DataLength).Append(';');
        }

        return text.ToString();
    }
}
