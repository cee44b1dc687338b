using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Logging;

namespace Pukeko.Server.Leases;

/// <summary>Lines of <c>sanity-checks.extended-info-checks</c>, under Kea's message ids (logger <c>kea-dhcp6.dhcpsrv</c>).</summary>
internal static partial class LeaseExtendedInfoLog
{
    [LoggerMessage(EventId = KeaDebugLevel.TraceBasic + 1, EventName = "DHCPSRV_LEASE6_EXTENDED_INFO_UPGRADED", Level = LogLevel.Debug, Message = "the extended info of lease {Address} was upgraded to the relay-info form")]
    public static partial void Upgraded(ILogger logger, Ipv6Address address);

    [LoggerMessage(EventName = "DHCPSRV_LEASE6_EXTENDED_INFO_SANITY_FAIL", Level = LogLevel.Error, Message = "the extended info of lease {Address} failed the checks ({Problem}); the faulty part was removed")]
    public static partial void SanityFail(ILogger logger, Ipv6Address address, string problem);

    [LoggerMessage(EventId = KeaDebugLevel.TraceBasic + 2, EventName = "DHCPSRV_MEMFILE_BEGIN_BUILD_EXTENDED_INFO_TABLES6", Level = LogLevel.Debug, Message = "checking the extended info of the loaded leases at sanity check level {Level}")]
    public static partial void BeginLoadChecks(ILogger logger, string level);

    [LoggerMessage(EventName = "DHCPSRV_MEMFILE_BUILD_EXTENDED_INFO_TABLES6", Level = LogLevel.Information, Message = "extended info checks looked at {Leases} loaded leases and changed {Modified} of them")]
    public static partial void LoadChecksDone(ILogger logger, int leases, int modified);
}
