using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class ControlSocketsTests
{
    [Fact]
    public void A_bare_socket_name_lives_in_the_control_socket_directory()
    {
        var config = LoadOk(Dhcp6("""
            "control-sockets": [ { "socket-type": "unix", "socket-name": "kea6-ctrl-socket" },
                                 { "socket-type": "http", "socket-address": "192.0.2.1", "socket-port": 8000,
                                   "authentication": { "type": "basic", "clients": [ { "user": "a", "password": "b" } ] } } ]
            """));
        Assert.Equal("/srv/kea-run/kea6-ctrl-socket", config.ControlSockets[0].SocketName);
        Assert.Equal(ControlSocketType.Http, config.ControlSockets[1].Type);
        Assert.Equal(8000, config.ControlSockets[1].Port);
        Assert.Equal("192.0.2.1", config.ControlSockets[1].Address);
    }

    [Theory]
    [InlineData("/run/kea", "/var/run/kea/kea6-ctrl-socket")]
    [InlineData("/var/run/kea", "/run/kea/kea6-ctrl-socket")]
    public void Var_run_and_run_are_one_directory_where_the_system_links_them(string socketDirectory, string name)
    {
        // ISC's Kea 3.x packages write /var/run/kea/...; Debian links /var/run to /run.
        if (Directory.ResolveLinkTarget("/var/run", returnFinalTarget: true)?.FullName.TrimEnd('/') != "/run")
        {
            return; // no such link on this system (Debian 12, where the tests run, has it)
        }

        var environment = TestEnvironment with { ControlSocketDirectory = socketDirectory };
        var text = Dhcp6($$""" "control-sockets": [ { "socket-type": "unix", "socket-name": "{{name}}" } ] """);
        var result = ConfigLoader.LoadText(text, baseDirectory: null, environment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(name, Assert.Single(result.Config!.ControlSockets).SocketName);

        // Only the directory itself: a directory next to it is still outside.
        var beside = ConfigLoader.LoadText(text.Replace("/kea/", "/kea2/", StringComparison.Ordinal), baseDirectory: null, environment);
        Assert.False(beside.Success);
    }

    [Fact]
    public void The_old_single_control_socket_form_is_accepted()
    {
        var config = LoadOk(Dhcp6("""
            "control-socket": { "socket-type": "unix", "socket-name": "/srv/kea-run/control_socket" }
            """));
        Assert.Equal("/srv/kea-run/control_socket", Assert.Single(config.ControlSockets).SocketName);
        Assert.Empty(Load(Dhcp6("""
            "control-socket": { "socket-type": "unix", "socket-name": "s" }
            """)).Warnings);
    }

    [Theory]
    [InlineData("/tmp/control_socket", "'/tmp'")]
    [InlineData("~/control_socket", "'~'")]
    [InlineData("/var/control_socket", "'/var'")]
    [InlineData("/etc/kea/control_socket", "'/etc/kea'")]
    [InlineData("../control_socket", "'..'")]
    public void A_socket_outside_the_socket_directory_is_rejected_with_keas_message(string name, string shown)
    {
        LoadFails(
            Dhcp6($$""" "control-sockets": [ { "socket-type": "unix", "socket-name": "{{name}}" } ] """),
            "Dhcp6/control-sockets[0]/socket-name",
            $"'socket-name' is invalid: invalid path specified: {shown}, supported path is '/srv/kea-run'");
    }

    [Theory]
    [InlineData("/tmp/kea6-ctrl-socket", "'/tmp'")]
    [InlineData("/var/run/kea6/ctrl", "'/var/run/kea6'")]
    public void The_kea_2_single_form_accepts_any_path_and_warns_when_it_is_outside_the_directory(string name, string shown)
    {
        // Kea 2.x had no socket directory; its own examples use /tmp/kea6-ctrl-socket.
        var result = Load(Dhcp6($$""" "control-socket": { "socket-type": "unix", "socket-name": "{{name}}" } """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var socket = Assert.Single(result.Config!.ControlSockets);
        Assert.Equal(name, socket.SocketName);
        Assert.False(socket.InSocketDirectory);
        AssertWarning(result, "Dhcp6/control-socket/socket-name", $"invalid path specified: {shown}, supported path is '/srv/kea-run'");
        AssertWarning(result, "Dhcp6/control-socket/socket-name", "Kea 2.x 'control-socket' form");
    }

    [Fact]
    public void A_socket_inside_the_directory_is_marked_so_the_server_may_restrict_the_directory()
    {
        var config = LoadOk(Dhcp6(""" "control-sockets": [ { "socket-type": "unix", "socket-name": "/srv/kea-run/s" } ] """));
        Assert.True(config.ControlSockets[0].InSocketDirectory);
    }

    [Theory]
    [InlineData("/tmp/control_socket", "/tmp/control_socket")]
    [InlineData("../control_socket", null)]
    public void Relaxed_security_turns_the_directory_rule_into_a_warning(string name, string? expected)
    {
        var result = ConfigLoader.LoadText(
            Dhcp6($$""" "control-sockets": [ { "socket-type": "unix", "socket-name": "{{name}}" } ] """),
            baseDirectory: null,
            TestEnvironment with { RelaxedSecurity = true });
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var socket = Assert.Single(result.Config!.ControlSockets);

        // Kea with -X uses the name as written, so a relative one is relative to the working directory.
        Assert.Equal(expected ?? Path.GetFullPath(name), socket.SocketName);
        Assert.False(socket.InSocketDirectory);
        AssertWarning(result, "Dhcp6/control-sockets[0]/socket-name", "invalid path specified");
        AssertWarning(result, "Dhcp6/control-sockets[0]/socket-name", "(-X)");
    }

    [Theory]
    [InlineData("control-sockets", "[ { \"socket-type\": \"unix\", \"socket-name\": \"/tmp/\" } ]", "Dhcp6/control-sockets[0]/socket-name", "path: '/tmp/' has no filename")]
    [InlineData("control-socket", "{ \"socket-type\": \"unix\", \"socket-name\": \"/tmp/\" }", "Dhcp6/control-socket/socket-name", "path: '/tmp/' has no filename")]
    [InlineData("control-socket", "{ \"socket-type\": \"unix\", \"socket-name\": \" \" }", "Dhcp6/control-socket/socket-name", "path: '' has no filename")]
    [InlineData("control-sockets", "[ { \"socket-type\": \"unix\", \"socket-name\": \"..\" } ]", "Dhcp6/control-sockets[0]/socket-name", "path: '..' has no filename")]
    public void A_name_without_a_file_is_refused_in_every_form(string key, string value, string path, string fragment)
    {
        LoadFails(Dhcp6($"\"{key}\": {value}"), path, $"'socket-name' is invalid: {fragment}");
        var relaxed = ConfigLoader.LoadText(Dhcp6($"\"{key}\": {value}"), null, TestEnvironment with { RelaxedSecurity = true });
        AssertError(relaxed, path, fragment);
    }

    [Theory]
    [InlineData("""{ "socket-type": "tcp", "socket-name": "s" }""", "Dhcp6/control-sockets[0]/socket-type", "unsupported 'socket-type'")]
    [InlineData("""{ "socket-name": "s" }""", "Dhcp6/control-sockets[0]", "missing mandatory parameter 'socket-type'")]
    [InlineData("""{ "socket-type": "unix" }""", "Dhcp6/control-sockets[0]", "missing mandatory parameter 'socket-name'")]
    [InlineData("""{ "socket-type": "http", "socket-address": "not-an-ip" }""", "Dhcp6/control-sockets[0]/socket-address", "failed to convert 'not-an-ip' to address")]
    [InlineData("""{ "socket-type": "http", "socket-port": 70000 }""", "Dhcp6/control-sockets[0]/socket-port", "out of range")]
    [InlineData("""{ "socket-type": "https", "socket-port": 8443 }""", "Dhcp6/control-sockets[0]", "needs 'cert-file' and 'key-file'")]
    [InlineData("""{ "socket-type": "http", "authentication": { "type": "digest" } }""", "Dhcp6/control-sockets[0]/authentication/type", "unsupported authentication type")]
    [InlineData("""{ "socket-type": "http", "authentication": { "type": "basic", "clients": [ { "user": "a:b", "password": "p" } ] } }""", "Dhcp6/control-sockets[0]/authentication/clients[0]", "must not contain a ':'")]
    [InlineData("""{ "socket-type": "http", "authentication": { "type": "basic", "clients": [ { "password-file": "/nonexistent/x" } ] } }""", "Dhcp6/control-sockets[0]/authentication/clients[0]/password-file", "failed to read credential file")]
    [InlineData("""{ "socket-type": "http", "bogus": 1 }""", "Dhcp6/control-sockets[0]/bogus", "unknown parameter 'bogus'")]
    public void Bad_sockets_are_rejected_by_json_path(string socket, string path, string fragment) =>
        LoadFails(Dhcp6($$""" "control-sockets": [ {{socket}} ] """), path, fragment);

    [Fact]
    public void Only_one_unix_socket()
    {
        LoadFails(
            Dhcp6(""" "control-sockets": [ { "socket-type": "unix", "socket-name": "a" }, { "socket-type": "unix", "socket-name": "b" } ] """),
            "Dhcp6/control-sockets[1]",
            "only one 'unix' control socket");
    }

    [Fact]
    public void Credentials_are_read_from_user_and_password_files_under_the_directory()
    {
        using var dir = new TempDirectory();
        dir.Write("hiddens", "superAdmin:difficultPassword\n");
        dir.Write("alice", "alice\n");
        dir.Write("alice_password", "s3cret");
        var config = LoadOk(Dhcp6($$"""
            "control-sockets": [ { "socket-type": "http", "authentication": { "type": "basic", "directory": "{{dir.Path}}",
              "clients": [ { "password-file": "hiddens" }, { "user-file": "alice", "password-file": "alice_password" }, { "user": "bob", "password": "pw" } ] } } ]
            """));
        var auth = config.ControlSockets[0].Authentication!;
        Assert.Equal(ControlAuthentication.DefaultRealm, auth.Realm);
        Assert.Equal(
            [new ControlClientCredential("superAdmin", "difficultPassword"), new ControlClientCredential("alice", "s3cret"), new ControlClientCredential("bob", "pw")],
            auth.Clients);
    }

    [Fact]
    public void Server_id_as_keas_config_get_prints_it_means_generate()
    {
        var config = LoadOk(Dhcp6(""" "server-id": { "type": "LLT", "identifier": "", "htype": 0, "time": 0, "enterprise-id": 0, "persist": true } """));
        Assert.Null(config.ServerId.Identifier);
        Assert.Null(config.ServerId.HardwareType);
        Assert.Null(config.ServerId.Time);
    }

    [Fact]
    public void Statistic_default_sample_keys_are_read()
    {
        var config = LoadOk(Dhcp6(""" "statistic-default-sample-count": 0, "statistic-default-sample-age": 60 """));
        Assert.Equal(0u, config.StatisticDefaultSampleCount);
        Assert.Equal(60u, config.StatisticDefaultSampleAge);
    }

    [Fact]
    public void Loggers_are_reported_even_when_another_section_is_bad()
    {
        var result = Load(Dhcp6("""
            "control-sockets": [ { "socket-type": "unix", "socket-name": "/tmp/x" } ],
            "loggers": [ { "name": "kea-dhcp6", "output-options": [ { "output": "kea.log" } ] } ]
            """));
        Assert.False(result.Success);
        Assert.Equal("kea-dhcp6", Assert.Single(result.Loggers).Name);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("::")]
    [InlineData("0.0.0.0")]
    public void An_unsecured_http_socket_on_a_non_loopback_address_is_refused(string address)
    {
        LoadFails(
            Dhcp6($$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{address}}", "socket-port": 8000 } ] """),
            "Dhcp6/control-sockets[0]",
            $"Unsecured HTTP control channel on non-loopback address {address}");
        LoadFails(
            Dhcp6($$""" "control-socket": { "socket-type": "http", "socket-address": "{{address}}", "socket-port": 8000 } """),
            "Dhcp6/control-socket",
            "Unsecured HTTP control channel");
    }

    [Theory]
    [InlineData(""" "authentication": { "type": "basic", "clients": [ { "user": "a", "password": "b" } ] } """)]
    [InlineData(""" "trust-anchor": "/etc/kea/ca.pem", "cert-file": "/etc/kea/s.pem", "key-file": "/etc/kea/s.key" """)]
    public void Authentication_or_a_full_tls_setup_secures_a_non_loopback_socket(string security)
    {
        var result = Load(Dhcp6($$""" "control-sockets": [ { "socket-type": "http", "socket-address": "192.0.2.1", {{security}} } ] """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("NOT SECURE", StringComparison.Ordinal));
    }

    [Fact]
    public void Tls_without_a_trust_anchor_does_not_count_as_secured()
    {
        LoadFails(
            Dhcp6(""" "control-sockets": [ { "socket-type": "https", "socket-address": "192.0.2.1", "cert-file": "/etc/kea/s.pem", "key-file": "/etc/kea/s.key" } ] """),
            "Dhcp6/control-sockets[0]",
            "Unsecured HTTP control channel");
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("127.0.0.1")]
    public void An_unsecured_loopback_socket_is_accepted_with_a_warning(string address)
    {
        var result = Load(Dhcp6($$""" "control-sockets": [ { "socket-type": "http", "socket-address": "{{address}}" } ] """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/control-sockets[0]", "NOT SECURE");
    }

    [Fact]
    public void Relaxed_security_accepts_an_unsecured_non_loopback_socket_with_a_warning()
    {
        var result = ConfigLoader.LoadText(
            Dhcp6(""" "control-sockets": [ { "socket-type": "http", "socket-address": "192.0.2.1" } ] """),
            baseDirectory: null,
            TestEnvironment with { RelaxedSecurity = true });
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/control-sockets[0]", "-X");
    }
}
