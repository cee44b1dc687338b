using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>
/// The forensic log's syslog and database backends as the hooks manager runs them: the syslog backend against a Unix
/// datagram socket the test binds, the database backend through a sink the test supplies (the PostgreSQL sink itself
/// is tested in Pukeko.Server.PostgreSql.Tests).
/// </summary>
public sealed class ForensicLogBackendTests : IDisposable
{
    private const string AssignedText = "Address: 2001:db8:1::10 has been assigned for 1 hrs 0 mins 0 secs to a device with DUID: 00:03:00:01:0a:0b:0c:0d:0e:0f";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero));
    private readonly CapturingLoggers _logs = new();
    private readonly HooksManager _hooks;
    private readonly Socket _syslog;

    public ForensicLogBackendTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _hooks = new HooksManager(_logs) { Time = _time };
        SocketPath = Path.Combine(_dir.Path, "log");
        _syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        _syslog.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    private string SocketPath { get; }

    public void Dispose()
    {
        _hooks.Dispose();
        _syslog.Dispose();
        _dir.Dispose();
    }

    private void Load(string parameters, Func<SqlDatabaseAccess, Microsoft.Extensions.Logging.ILoggerFactory, IForensicLogSink>? database = null)
    {
        _hooks.ForensicBackends = new ForensicLogBackends { SyslogSocketPath = SocketPath, OpenPostgreSql = database };
        var json = JsonDocument.Parse(parameters).RootElement.Clone();
        _hooks.Load([new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_legal_log.so", json)], multiThreading: true);
    }

    private string ReceiveDatagram()
    {
        var buffer = new byte[8192];
        var length = _syslog.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static Lease6 Lease(string address) => new()
    {
        Address = Ipv6Address.Parse(address),
        Duid = [0x00, 0x03, 0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f],
        Iaid = 7,
        ValidLifetime = 3600,
        SubnetId = 1,
    };

    private NextStep Exchange(Lease6 assigned) => LeaseExchangeThroughHooks.Run(_hooks, assigned);

    [Fact]
    public void Syslog_sends_each_entry_as_one_info_message_with_the_configured_facility_and_pattern()
    {
        Load("""{ "type": "syslog", "facility": "LOCAL3", "pattern": "%-5p|%m" }""");
        Exchange(Lease("2001:db8:1::10"));

        // local3 = 19, info = 6: PRI 19 * 8 + 6; the entry is the text of Kea's LEGAL_LOG_SYSLOG message, without a timestamp.
        Assert.Equal($"<158>kea-dhcp6[{Environment.ProcessId}]: INFO |LEGAL_LOG_SYSLOG {AssignedText}", ReceiveDatagram());
    }

    [Fact]
    public void Syslog_defaults_to_local0_and_keas_syslog_pattern()
    {
        Load("""{ "type": "syslog" }""");
        Exchange(Lease("2001:db8:1::10"));

        // Kea's syslog layout "%-5p [%c.%t] %m": severity, the library's own logger and thread, then the message.
        Assert.Matches(
            $@"^<134>kea-dhcp6\[{Environment.ProcessId}\]: INFO  \[kea-dhcp6\.legal-log-\d+\.\d+\] LEGAL_LOG_SYSLOG {System.Text.RegularExpressions.Regex.Escape(AssignedText)}$",
            ReceiveDatagram());
        Assert.Contains(_logs.Entries, e => e.EventName == "LEGAL_LOG_SYSLOG_STORE_OPEN" && e.Message.Contains("facility=local0", StringComparison.Ordinal));
    }

    [Fact]
    public void Syslog_writes_no_file()
    {
        Load($$"""{ "type": "syslog", "path": "{{_dir.Path}}" }""");
        Exchange(Lease("2001:db8:1::10"));
        ReceiveDatagram();
        Assert.Equal(["log"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_database_sink_gets_keas_text_and_the_address_of_each_lease_and_command()
    {
        var sink = new RecordingSink();
        Load("""{ "type": "postgresql", "name": "kea", "user": "kea", "password": "secret", "port": 6543 }""", (access, _) =>
        {
            sink.Access = access;
            return sink;
        });
        Exchange(Lease("2001:db8:1::10"));
        var prefix = new Pukeko.Hooks.Leases.Lease6(Pukeko.Hooks.Leases.LeaseType.PD, Ipv6Address.Parse("2001:db8:8::"), 48, new Pukeko.Protocol.Duids.Duid([1, 2]), 9, 1);
        Assert.Equal("2001:db8:8::/48", ForensicLogLibrary.Address(prefix));
        CommandProcessed("lease6-add", """{ "type": "IA_PD", "ip-address": "2001:db8:9::", "prefix-len": 56, "duid": "01:02", "iaid": 1, "subnet-id": 1 }""");
        CommandProcessed("lease6-del", """{ "identifier-type": "duid", "identifier": "01:02", "subnet-id": 1, "iaid": 1 }""");

        Assert.Equal(("kea", 6543, "secret"), (sink.Access!.Name, sink.Access.Port, sink.Access.Password));
        Assert.Equal(
            [
                ("2001:db8:1::10", AssignedText),
                ("2001:db8:9::/56", "Administrator added a lease of prefix: 2001:db8:9::/56 to a device with DUID: 01:02"),
                (string.Empty, "Administrator deleted a lease for a device identified by: duid of 01:02"),
            ],
            sink.Entries);
    }

    [Fact]
    public void A_database_write_failure_is_logged_and_counted_and_the_reply_still_goes_out()
    {
        Load("""{ "type": "postgresql", "name": "kea" }""", (_, _) => new FailingSink());

        var status = Exchange(Lease("2001:db8:1::10"));

        // Kea 3.0: the pkt6_send callout logs LEGAL_LOG_LEASE6_WRITE_ERROR and returns 1, which the hooks manager
        // logs as HOOKS_CALLOUT_ERROR; the status is untouched, so the packet is sent.
        Assert.Equal(NextStep.Continue, status);
        var error = Assert.Single(_logs.Entries, e => e.EventName == "LEGAL_LOG_LEASE6_WRITE_ERROR");
        Assert.Equal("Could not write to the legal store: database gone", error.Message);
        Assert.Contains(_logs.Entries, e => e.EventName == "HOOKS_CALLOUT_ERROR");
    }

    [Fact]
    public void Without_a_database_backend_in_the_host_the_postgresql_type_fails_to_load()
    {
        var parameters = JsonDocument.Parse("""{ "type": "postgresql", "name": "kea" }""").RootElement.Clone();
        var error = Assert.Single(HooksManager.Validate([new HooksLibraryConfig("libdhcp_legal_log.so", parameters)], multiThreading: true));
        Assert.Contains("the forensic log type 'postgresql' is not available in this host", error, StringComparison.Ordinal);
    }

    private void CommandProcessed(string name, string arguments)
    {
        var handle = _hooks.CreateHandle();
        handle.SetArgument("name", name);
        handle.SetArgument<JsonNode?>("arguments", JsonNode.Parse(arguments));
        handle.SetArgument("response", new JsonObject { ["result"] = 0, ["text"] = "done" });
        _hooks.Call(HookPoints.CommandProcessed, handle);
        HooksManager.EndCall(handle);
        _hooks.ReleaseHandle(handle);
    }

    private sealed class RecordingSink : IForensicLogSink
    {
        public SqlDatabaseAccess? Access { get; set; }

        public List<(string Address, string Text)> Entries { get; } = [];

        public void Write(string text, string address, string errorId) => Entries.Add((address, text));

        public void Dispose()
        {
        }
    }

    private sealed class FailingSink : IForensicLogSink
    {
        public void Write(string text, string address, string errorId) => throw new ForensicLogWriteException("database gone");

        public void Dispose()
        {
        }
    }
}
