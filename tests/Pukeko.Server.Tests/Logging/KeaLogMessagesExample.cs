using Microsoft.Extensions.Logging;
using Pukeko.Server.Logging;

namespace Pukeko.Server.Tests.Logging;

/// <summary>
/// How server code is meant to declare Kea messages: source-generated methods whose
/// EventName is the Kea message ID; debug messages carry their Kea debug level in EventId.
/// </summary>
internal static partial class KeaLogMessagesExample
{
    [LoggerMessage(EventId = 1, EventName = "DHCP6_STARTED", Level = LogLevel.Information,
        Message = "Kea DHCPv6 server version {Version} started")]
    public static partial void Started(ILogger logger, string version);

    [LoggerMessage(EventId = 2, EventName = "DHCP6_CONFIG_LOAD_FAIL", Level = LogLevel.Error,
        Message = "configuration error using file: {File}, reason: {Reason}")]
    public static partial void ConfigLoadFail(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = KeaDebugLevel.StartShutdown + 1, EventName = "DHCP6_START_INFO", Level = LogLevel.Debug,
        Message = "pid: {Pid}, server port: {ServerPort}, client port: {ClientPort}, verbose: {Verbose}")]
    public static partial void StartInfo(ILogger logger, int pid, int serverPort, int clientPort, string verbose);

    [LoggerMessage(EventId = KeaDebugLevel.TraceBasic + 1, EventName = "DHCP6_BUFFER_RECEIVED", Level = LogLevel.Debug,
        Message = "received buffer from {Source}:{Port} to {Destination}:{DestPort} over interface {Iface}")]
    public static partial void BufferReceived(ILogger logger, string source, int port, string destination, int destPort, string iface);

    [LoggerMessage(EventId = KeaDebugLevel.TraceDetailData + 1, EventName = "DHCP6_QUERY_DATA", Level = LogLevel.Debug,
        Message = "{Query} details: {Text}")]
    public static partial void QueryData(ILogger logger, string query, string text);

    [LoggerMessage(EventId = 3, EventName = "DHCP6_PACKET_DROP_PARSE_FAIL", Level = LogLevel.Trace,
        Message = "failed to parse packet")]
    public static partial void ParseFailTrace(ILogger logger);

    [LoggerMessage(EventId = 4, EventName = "DHCP6_BASIC_DEBUG", Level = LogLevel.Debug,
        Message = "plain debug")]
    public static partial void PlainDebug(ILogger logger);

    [LoggerMessage(EventId = 5, EventName = "DHCPSRV_MEMFILE_DB", Level = LogLevel.Information,
        Message = "opening memory file lease database: {Access}")]
    public static partial void MemfileDb(ILogger logger, string access);

    [LoggerMessage(EventId = 6, EventName = "DHCP6_SHUTDOWN_FATAL", Level = LogLevel.Critical,
        Message = "fatal")]
    public static partial void Fatal(ILogger logger);

    [LoggerMessage(EventId = 7, EventName = "DHCP6_WARN", Level = LogLevel.Warning,
        Message = "a warning")]
    public static partial void Warning(ILogger logger);
}
