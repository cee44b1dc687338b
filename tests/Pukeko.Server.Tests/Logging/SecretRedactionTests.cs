using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Logging;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Hooks;

namespace Pukeko.Server.Tests.Logging;

public sealed class SecretRedactionTests
{
    private const string DbPassword = "Db-Pa55-never-logged";
    private const string TsigSecret = "LSWXnfkKZjdPJI5QxlpnfQ==";
    private const string AuthPassword = "ctrl-Pa55-never-logged";

    [Fact]
    public void Keys_ending_in_password_or_secret_are_masked_at_any_depth_except_in_user_context()
    {
        var config = JsonNode.Parse($$"""
            {
              "lease-database": { "type": "postgresql", "name": "kea", "user": "kea", "password": "{{DbPassword}}" },
              "hooks-libraries": [ { "library": "x.so", "parameters": { "tsig-keys": [ { "name": "k", "algorithm": "hmac-sha256", "secret": "{{TsigSecret}}" } ] } } ],
              "control-sockets": [ { "authentication": { "clients": [ { "user": "a", "password": "{{AuthPassword}}" } ] } } ],
              "user-context": { "note-password": "kept" },
              "password-file": "/etc/kea/pw"
            }
            """);

        var redacted = SecretRedactor.Redact(config)!;
        var text = redacted.ToJsonString();

        Assert.DoesNotContain(DbPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TsigSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthPassword, text, StringComparison.Ordinal);
        Assert.Equal(SecretRedactor.Mask, redacted["lease-database"]!["password"]!.GetValue<string>());
        Assert.Equal(SecretRedactor.Mask, redacted["hooks-libraries"]![0]!["parameters"]!["tsig-keys"]![0]!["secret"]!.GetValue<string>());
        Assert.Equal("kea", redacted["lease-database"]!["user"]!.GetValue<string>());
        Assert.Equal("kept", redacted["user-context"]!["note-password"]!.GetValue<string>());
        Assert.Equal("/etc/kea/pw", redacted["password-file"]!.GetValue<string>());

        // The original is untouched: config-get and config-write need the real values.
        Assert.Equal(DbPassword, config!["lease-database"]!["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task Debug_logging_of_a_loaded_and_reloaded_configuration_never_shows_secrets()
    {
        var loggers = new CapturingLoggers();
        var dhcp6 = ControlTestServer.DefaultDhcp6(
            authentication: $$""", "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "{{AuthPassword}}" } ] }""");
        dhcp6["lease-database"]!["password"] = DbPassword;
        await using var server = await ControlTestServer.StartAsync(dhcp6, loggers: loggers);

        await server.CommandAsync("""{"command": "config-reload"}""");

        var entries = loggers.Entries;
        var start = entries.Where(e => e.EventName == "DHCP6_CONFIG_START").ToList();
        Assert.NotEmpty(start);
        Assert.All(start, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Contains(start, e => e.Message.Contains("\"password\":\"*****\"", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(DbPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(AuthPassword, StringComparison.Ordinal));
    }
}
