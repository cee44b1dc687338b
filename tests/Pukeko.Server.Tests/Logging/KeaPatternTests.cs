using Pukeko.Server.Logging;

namespace Pukeko.Server.Tests.Logging;

public sealed class KeaPatternTests
{
    private static readonly KeaLogEvent Event = new(
        UtcTime: new DateTimeOffset(2025, 3, 4, 10, 5, 6, 789, TimeSpan.Zero).AddTicks(4560),
        LocalTime: new DateTimeOffset(2025, 3, 4, 12, 5, 6, 789, TimeSpan.FromHours(2)).AddTicks(4560),
        Severity: KeaSeverity.Info,
        LoggerName: "kea-dhcp6.alloc-engine",
        ProcessId: 4242,
        ThreadId: 7,
        Message: "ALLOC_ENGINE_V6_ALLOC_SUCCESS text",
        HostName: "testhost");

    [Theory]
    [InlineData(KeaOutputSpec.DefaultPattern, "2025-03-04 12:05:06.789 INFO  [kea-dhcp6.alloc-engine/4242.7] ALLOC_ENGINE_V6_ALLOC_SUCCESS text\n")]
    [InlineData(KeaOutputSpec.DefaultSyslogPattern, "INFO  [kea-dhcp6.alloc-engine.7] ALLOC_ENGINE_V6_ALLOC_SUCCESS text\n")]
    [InlineData("%d", "2025-03-04 10:05:06")]
    [InlineData("%D", "2025-03-04 12:05:06")]
    [InlineData("%d{%H:%M:%S.%q}", "10:05:06.789")]
    [InlineData("%D{%Q}", "789.456")]
    [InlineData("%D{%y %b %a %j %z %F %T %%}", "25 Mar Tue 063 +0200 2025-03-04 12:05:06 %")]
    [InlineData("%p|%-5p|%5p|", "INFO|INFO | INFO|")]
    [InlineData("%c %c{1} %c{2} %c{9}", "kea-dhcp6.alloc-engine alloc-engine kea-dhcp6.alloc-engine kea-dhcp6.alloc-engine")]
    [InlineData("%i.%t.%T", "4242.7.7")]
    [InlineData("%m%n", "ALLOC_ENGINE_V6_ALLOC_SUCCESS text\n")]
    [InlineData("%.4m", "text")]
    [InlineData("%-8i|", "4242    |")]
    [InlineData("%h %H", "testhost testhost")]
    [InlineData("100%% %x %X{key} %F:%L %r %", "100% %x %X{key} %F:%L %r %")]
    [InlineData("no conversions", "no conversions")]
    public void Conversions(string pattern, string expected)
    {
        Assert.Equal(expected, KeaPattern.Parse(pattern).Format(Event));
    }

    [Theory]
    [InlineData((int)KeaSeverity.Debug, "DEBUG")]
    [InlineData((int)KeaSeverity.Info, "INFO ")]
    [InlineData((int)KeaSeverity.Warn, "WARN ")]
    [InlineData((int)KeaSeverity.Error, "ERROR")]
    [InlineData((int)KeaSeverity.Fatal, "FATAL")]
    public void Severity_is_left_aligned_in_five(int severityValue, string expected)
    {
        Assert.Equal(expected, KeaPattern.Parse("%-5p").Format(Event with { Severity = (KeaSeverity)severityValue }));
    }

    [Fact]
    public void Custom_pattern_is_used_by_an_output()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([new KeaLoggerSpec(KeaLoggers.Root, "INFO", 0, [new KeaOutputSpec("stdout", Pattern: "%p %c %m%n")])]);
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "9.9");
        Assert.Equal("INFO kea-dhcp6.dhcp6 DHCP6_STARTED Kea DHCPv6 server version 9.9 started\n", stdout.ToString());
    }
}
