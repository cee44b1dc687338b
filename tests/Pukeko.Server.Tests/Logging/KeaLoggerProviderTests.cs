using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Logging;

namespace Pukeko.Server.Tests.Logging;

public sealed partial class KeaLoggerProviderTests
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (DEBUG|INFO |WARN |ERROR|FATAL) \[kea-dhcp6\.[a-z0-9-]+/\d+\.\d+\] [A-Z0-9_]+ .*$")]
    private static partial Regex KeaLine();

    private static KeaLoggerSpec Root(string severity, int debugLevel = 0, params KeaOutputSpec[] outputs) =>
        new(KeaLoggers.Root, severity, debugLevel, outputs);

    [Fact]
    public void Default_configuration_writes_exact_kea_line_to_stdout_at_info()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out StringWriter stderr);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);

        KeaLogMessagesExample.Started(log, "0.1.0");
        KeaLogMessagesExample.PlainDebug(log);

        Assert.Equal(
            "2025-03-04 12:05:06.789 INFO  [kea-dhcp6.dhcp6/4242.7] DHCP6_STARTED Kea DHCPv6 server version 0.1.0 started\n",
            stdout.ToString());
        Assert.Equal(string.Empty, stderr.ToString());
    }

    [Fact]
    public void Severities_are_padded_to_five_characters()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("DEBUG", 99)]);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);

        KeaLogMessagesExample.PlainDebug(log);
        KeaLogMessagesExample.Started(log, "1");
        KeaLogMessagesExample.Warning(log);
        KeaLogMessagesExample.ConfigLoadFail(log, "/etc/kea/kea-dhcp6.conf", "bad");
        KeaLogMessagesExample.Fatal(log);

        string[] lines = Harness.Lines(stdout.ToString());
        Assert.Equal(5, lines.Length);
        Assert.Contains(" DEBUG [kea-dhcp6.dhcp6/4242.7] DHCP6_BASIC_DEBUG plain debug", lines[0], StringComparison.Ordinal);
        Assert.Contains(" INFO  [kea-dhcp6.dhcp6/", lines[1], StringComparison.Ordinal);
        Assert.Contains(" WARN  [kea-dhcp6.dhcp6/", lines[2], StringComparison.Ordinal);
        Assert.Contains("ERROR [kea-dhcp6.dhcp6/4242.7] DHCP6_CONFIG_LOAD_FAIL configuration error using file: /etc/kea/kea-dhcp6.conf, reason: bad", lines[3], StringComparison.Ordinal);
        Assert.Contains(" FATAL [kea-dhcp6.dhcp6/", lines[4], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Matches(KeaLine(), l));
    }

    [Fact]
    public void Message_without_event_name_is_text_only_and_exception_is_appended()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        ILogger log = provider.CreateLogger(KeaLoggers.Leases);
        log.LogInformation("just text");
        log.LogKea(LogLevel.Error, "DHCPSRV_MEMFILE_LFC_FAIL", "oops");
        log.Log(LogLevel.Error, new EventId(9, "DHCP6_X"), new InvalidOperationException("boom"), "failed");

        string[] lines = Harness.Lines(stdout.ToString());
        Assert.EndsWith("[kea-dhcp6.leases/4242.7] just text", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("ERROR [kea-dhcp6.leases/4242.7] DHCPSRV_MEMFILE_LFC_FAIL oops", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("DHCP6_X failed (InvalidOperationException: boom)", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Child_logger_overrides_root_for_its_subtree()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([
            Root("INFO"),
            new KeaLoggerSpec("kea-dhcp6.packets", "DEBUG", 99),
            new KeaLoggerSpec("leases", "WARN"), // short name, expanded like Kea does
        ]);
        ILogger dhcp6 = provider.CreateLogger(KeaLoggers.Dhcp6);
        ILogger packets = provider.CreateLogger(KeaLoggers.Packets);
        ILogger packetsChild = provider.CreateLogger("kea-dhcp6.packets.detail");
        ILogger leases = provider.CreateLogger(KeaLoggers.Leases);

        KeaLogMessagesExample.PlainDebug(dhcp6);           // root INFO: dropped
        KeaLogMessagesExample.Started(dhcp6, "1");         // kept
        KeaLogMessagesExample.QueryData(packets, "q", "x"); // packets DEBUG 99: kept
        KeaLogMessagesExample.PlainDebug(packetsChild);     // inherits packets: kept
        KeaLogMessagesExample.MemfileDb(leases, "rw");     // leases WARN: dropped
        KeaLogMessagesExample.Warning(leases);              // kept

        string[] lines = Harness.Lines(stdout.ToString());
        Assert.Equal(4, lines.Length);
        Assert.Contains("INFO  [kea-dhcp6.dhcp6/", lines[0], StringComparison.Ordinal);
        Assert.Contains("DEBUG [kea-dhcp6.packets/4242.7] DHCP6_QUERY_DATA q details: x", lines[1], StringComparison.Ordinal);
        Assert.Contains("DEBUG [kea-dhcp6.packets.detail/", lines[2], StringComparison.Ordinal);
        Assert.Contains("WARN  [kea-dhcp6.leases/", lines[3], StringComparison.Ordinal);

        Assert.False(dhcp6.IsEnabled(LogLevel.Debug));
        Assert.True(dhcp6.IsEnabled(LogLevel.Information));
        Assert.True(packets.IsEnabled(LogLevel.Trace));
        Assert.False(leases.IsEnabled(LogLevel.Information));
        Assert.True(leases.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void Child_with_own_output_writes_only_there_and_child_without_outputs_uses_roots()
    {
        using var dir = new TempDir();
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out StringWriter stderr);
        provider.Apply([
            Root("INFO", 0, new KeaOutputSpec("stdout")),
            new KeaLoggerSpec(KeaLoggers.Packets, "DEBUG", 99, [new KeaOutputSpec("stderr")]),
            new KeaLoggerSpec(KeaLoggers.Leases, "DEBUG", 99),
        ]);
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Packets), "1");
        KeaLogMessagesExample.PlainDebug(provider.CreateLogger(KeaLoggers.Leases));

        Assert.Single(Harness.Lines(stderr.ToString()));
        Assert.Contains("[kea-dhcp6.packets/", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(Harness.Lines(stdout.ToString()));
        Assert.Contains("DEBUG [kea-dhcp6.leases/", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, new[] { "DHCP6_START_INFO" })]
    [InlineData(39, new[] { "DHCP6_START_INFO" })]
    [InlineData(40, new[] { "DHCP6_START_INFO", "DHCP6_BUFFER_RECEIVED", "DHCP6_BASIC_DEBUG", "EXPLICIT_40" })]
    [InlineData(54, new[] { "DHCP6_START_INFO", "DHCP6_BUFFER_RECEIVED", "DHCP6_BASIC_DEBUG", "EXPLICIT_40" })]
    [InlineData(55, new[] { "DHCP6_START_INFO", "DHCP6_BUFFER_RECEIVED", "DHCP6_QUERY_DATA", "DHCP6_PACKET_DROP_PARSE_FAIL", "DHCP6_BASIC_DEBUG", "EXPLICIT_40" })]
    [InlineData(99, new[] { "DHCP6_START_INFO", "DHCP6_BUFFER_RECEIVED", "DHCP6_QUERY_DATA", "DHCP6_PACKET_DROP_PARSE_FAIL", "DHCP6_BASIC_DEBUG", "EXPLICIT_40", "EXPLICIT_99" })]
    public void Debuglevel_filters_debug_messages(int debugLevel, string[] expected)
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("DEBUG", debugLevel)]);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);

        KeaLogMessagesExample.StartInfo(log, 1, 547, 546, "no");          // level 0
        KeaLogMessagesExample.BufferReceived(log, "fe80::1", 546, "ff02::1:2", 547, "eth0"); // level 40
        KeaLogMessagesExample.QueryData(log, "q", "d");                    // level 55
        KeaLogMessagesExample.ParseFailTrace(log);                         // Trace default: 55
        KeaLogMessagesExample.PlainDebug(log);                             // Debug default: 40
        log.LogKeaDebug(40, "EXPLICIT_40", "x");
        log.LogKeaDebug(99, "EXPLICIT_99", "x");

        string[] ids = Harness.Lines(stdout.ToString()).Select(l => l.Split(' ')[4]).ToArray();
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Debug_level_encoding_in_event_ids()
    {
        Assert.Equal(0, KeaDebugLevel.Of(LogLevel.Debug, KeaDebugLevel.StartShutdown));
        Assert.Equal(45, KeaDebugLevel.Of(LogLevel.Debug, KeaDebugLevel.TraceBasicData + 999));
        Assert.Equal(55, KeaDebugLevel.Of(LogLevel.Trace, 12));
        Assert.Equal(40, KeaDebugLevel.Of(LogLevel.Debug, 0));
        Assert.Equal(99, KeaDebugLevel.Of(LogLevel.Debug, KeaDebugLevel.EventId(99, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeaDebugLevel.EventId(100));
    }

    [Fact]
    public void Severity_none_disables_everything()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("NONE")]);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);
        KeaLogMessagesExample.Fatal(log);
        Assert.False(log.IsEnabled(LogLevel.Critical));
        Assert.Equal(string.Empty, stdout.ToString());
    }

    [Fact]
    public void Verbose_defaults_to_debug_99_and_overrides_configured_severity()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _, verbose: true);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);
        log.LogKeaDebug(99, "BEFORE_CONFIG", "x");
        provider.Apply([Root("ERROR")]);
        log.LogKeaDebug(99, "AFTER_CONFIG", "x");

        string text = stdout.ToString();
        Assert.Contains("BEFORE_CONFIG", text, StringComparison.Ordinal);
        Assert.Contains("AFTER_CONFIG", text, StringComparison.Ordinal);
        Assert.Equal("DEBUG", provider.CurrentSpecs.Single().Severity);
        Assert.Equal(99, provider.CurrentSpecs.Single().DebugLevel);
    }

    [Fact]
    public void Foreign_categories_show_as_dhcp6_and_only_warn_and_above()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("DEBUG", 99)]);
        ILogger lifetime = provider.CreateLogger("Microsoft.Hosting.Lifetime");
        lifetime.LogInformation("Application started. Press Ctrl+C to shut down.");
        lifetime.LogWarning("something odd");
        ILogger hook = provider.CreateLogger("lease-cmds-hooks");
        hook.LogKea(LogLevel.Information, "LEASE_CMDS_INIT_OK", "loading Lease Commands hooks library successful");

        string[] lines = Harness.Lines(stdout.ToString());
        Assert.Equal(2, lines.Length);
        Assert.Contains("WARN  [kea-dhcp6.dhcp6/4242.7] something odd", lines[0], StringComparison.Ordinal);
        Assert.Contains("INFO  [kea-dhcp6.lease-cmds-hooks/4242.7] LEASE_CMDS_INIT_OK", lines[1], StringComparison.Ordinal);
        Assert.False(lifetime.IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Stderr_output_is_selected()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out StringWriter stderr);
        provider.Apply([Root("INFO", 0, new KeaOutputSpec("stderr"))]);
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "1");
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Contains("DHCP6_STARTED", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_configuration_is_rejected_and_previous_one_kept()
    {
        using var dir = new TempDir();
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("WARN")]);

        Assert.Throws<KeaLoggingConfigException>(() => provider.Apply([Root("LOUD")]));
        Assert.Throws<KeaLoggingConfigException>(() => provider.Apply([Root("DEBUG", 100)]));
        Assert.Throws<KeaLoggingConfigException>(() => provider.Apply([Root("INFO", 0, new KeaOutputSpec("syslog:nosuch"))]));
        Assert.Throws<KeaLoggingConfigException>(() => provider.Apply([
            Root("INFO", 0, new KeaOutputSpec(dir.File("ok.log")), new KeaOutputSpec(dir.File("missing/dir/x.log")))]));

        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);
        KeaLogMessagesExample.Started(log, "1");
        KeaLogMessagesExample.Warning(log);
        Assert.Single(Harness.Lines(stdout.ToString()));
        Assert.Equal("WARN", provider.CurrentSpecs.Single().Severity);

        Assert.NotNull(KeaLoggerProvider.Validate([Root("LOUD")]));
        Assert.Null(KeaLoggerProvider.Validate([Root("debug", 10, new KeaOutputSpec("stdout"))]));
    }

    [Fact]
    public void Missing_syslog_socket_warns_once_and_drops()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out StringWriter stderr);
        provider.Apply([Root("INFO", 0, new KeaOutputSpec("syslog"), new KeaOutputSpec("stdout"))]);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);
        KeaLogMessagesExample.Started(log, "1");
        KeaLogMessagesExample.Started(log, "2");
        Assert.Equal(2, Harness.Lines(stdout.ToString()).Length);
        Assert.Single(Harness.Lines(stderr.ToString()));
        Assert.Contains("syslog", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Works_inside_a_generic_host_with_all_levels_reaching_the_provider()
    {
        using KeaLoggerProvider provider = Harness.Create(out StringWriter stdout, out _);
        provider.Apply([Root("DEBUG", 99)]);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddKeaLogging(provider);
        using (IHost host = builder.Build())
        {
            ILogger log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(KeaLoggers.Dhcp6);
            KeaLogMessagesExample.QueryData(log, "q", "d");
            Assert.Same(provider, host.Services.GetRequiredService<KeaLoggerProvider>());
        }
        // Disposing the host must not dispose the process-wide provider.
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "1");
        string[] lines = Harness.Lines(stdout.ToString());
        Assert.Equal(2, lines.Length);
        Assert.Contains("DEBUG [kea-dhcp6.dhcp6/4242.7] DHCP6_QUERY_DATA", lines[0], StringComparison.Ordinal);
    }
}
