using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// Peer requests over HTTPS with Kea's TLS keys, against a real HTTPS control socket that requires client
/// certificates; the certificates are made by <c>openssl</c> in a temp directory.
/// </summary>
public sealed class HaTlsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public HaTlsTests()
    {
        MakeCa("ca");
        MakeCa("other-ca");
        MakeLeaf("server1", "ca", "subjectAltName=IP:127.0.0.1");
        MakeLeaf("server2", "ca", "subjectAltName=IP:127.0.0.1");
        MakeLeaf("stranger", "other-ca", "subjectAltName=IP:127.0.0.1");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_peer_is_reached_over_https_with_its_tls_keys_and_untrusted_certificates_fail_on_either_side()
    {
        // The partner's control socket: HTTPS with server2's certificate, client certificates from "ca" required.
        var config = new ControlSocketConfig
        {
            Type = ControlSocketType.Https,
            Address = "127.0.0.1",
            Port = 0,
            TrustAnchor = File("ca.pem"),
            CertFile = File("server2.pem"),
            KeyFile = File("server2.key"),
            CertRequired = true,
        };
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        dispatcher.Register("ha-heartbeat", (_, _) => ValueTask.FromResult(ControlAnswer.Success("HA peer status returned.", new JsonObject { ["state"] = "hot-standby" })));
        await using var listener = new HttpCommandListener(config, dispatcher, null, NullLogger.Instance);
        await listener.StartAsync(CancellationToken.None);

        HaPeerConfig Peer(string anchor, string cert) => new()
        {
            Name = "server2",
            Url = new Uri($"https://127.0.0.1:{listener.BoundPort}/"),
            Role = HaRole.Standby,
            TrustAnchor = File(anchor),
            CertFile = File(cert + ".pem"),
            KeyFile = File(cert + ".key"),
        };
        var heartbeat = new JsonObject { ["command"] = "ha-heartbeat", ["service"] = new JsonArray("dhcp6") };
        using var channel = new HttpHaPeerChannel();

        var answer = await channel.SendAsync(Peer("ca.pem", "server1"), heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal("hot-standby", answer["arguments"]!["state"]!.GetValue<string>());

        // A directory of PEM files works as the trust anchor too.
        Directory.CreateDirectory(File("anchors"));
        System.IO.File.Copy(File("ca.pem"), File("anchors/ca.pem"));
        Assert.Equal(0, ControlAnswer.ResultOf(await channel.SendAsync(Peer("anchors", "server1"), heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None)));

        // The partner refuses a client certificate it does not trust; this server refuses a partner it does not trust.
        await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(Peer("ca.pem", "stranger"), heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None));
        await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(Peer("other-ca.pem", "server1"), heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None));

        // Keys that cannot be read are a peer failure, not a crash.
        var missing = Peer("ca.pem", "server1") with { CertFile = File("absent.pem") };
        await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(missing, heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public async Task The_dedicated_listener_serves_https_with_this_server_s_peer_keys_and_require_client_certs()
    {
        var port = LoopbackPorts.Free();
        HaRelationshipConfig Relationship(bool requireClientCerts) => new()
        {
            ThisServerName = "server2",
            Mode = HaMode.HotStandby,
            RequireClientCerts = requireClientCerts,
            MultiThreading = new HaMultiThreading(true, true),
            Peers =
            [
                new HaPeerConfig { Name = "server1", Url = new Uri("https://127.0.0.1:1/"), Role = HaRole.Primary },
                new HaPeerConfig { Name = "server2", Url = new Uri($"https://127.0.0.1:{port}/"), Role = HaRole.Standby, TrustAnchor = File("ca.pem"), CertFile = File("server2.pem"), KeyFile = File("server2.key") },
            ],
        };
        var socket = HaDedicatedListener.SocketOf(Relationship(requireClientCerts: true));
        Assert.True(socket.UsesTls);
        Assert.True(socket.CertRequired);
        Assert.False(HaDedicatedListener.SocketOf(Relationship(requireClientCerts: false)).CertRequired);

        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        dispatcher.Register("ha-heartbeat", (_, _) => ValueTask.FromResult(ControlAnswer.Success("HA peer status returned.", new JsonObject { ["state"] = "waiting" })));
        await using var listener = new HttpCommandListener(socket, dispatcher, null, NullLogger.Instance);
        await listener.StartAsync(CancellationToken.None);
        var partner = new HaPeerConfig { Name = "server2", Url = new Uri($"https://127.0.0.1:{port}/"), Role = HaRole.Standby, TrustAnchor = File("ca.pem"), CertFile = File("server1.pem"), KeyFile = File("server1.key") };
        var heartbeat = new JsonObject { ["command"] = "ha-heartbeat", ["service"] = new JsonArray("dhcp6") };
        using var channel = new HttpHaPeerChannel();
        Assert.Equal("waiting", (await channel.SendAsync(partner, heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None))["arguments"]!["state"]!.GetValue<string>());
        await Assert.ThrowsAsync<HaPeerException>(() => channel.SendAsync(partner with { CertFile = File("stranger.pem"), KeyFile = File("stranger.key") }, heartbeat, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public void Https_peers_are_accepted_with_tls_keys_and_each_peer_gets_the_relationship_s_keys_unless_it_has_its_own()
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        using var json = System.Text.Json.JsonDocument.Parse($$"""
            { "high-availability": [ {
                "this-server-name": "server1", "mode": "hot-standby",
                "trust-anchor": "/etc/kea/ca.pem", "cert-file": "/etc/kea/server1.pem", "key-file": "/etc/kea/server1.key",
                "peers": [
                  { "name": "server1", "url": "https://192.0.2.1:8001/", "role": "primary" },
                  { "name": "server2", "url": "https://192.0.2.2:8001/", "role": "standby", "cert-file": "/etc/kea/other.pem", "key-file": "/etc/kea/other.key" } ] } ] }
            """);
        var config = HaConfigParser.Parse(json.RootElement, "Dhcp6/hooks-libraries[0]/parameters", (p, m) => errors.Add($"{p}: {m}"), (p, m) => warnings.Add($"{p}: {m}"));
        Assert.Empty(errors);
        var partner = config!.Relationships[0].Partner!;
        Assert.Equal("/etc/kea/ca.pem", partner.TrustAnchor);
        Assert.Equal("/etc/kea/other.pem", partner.CertFile);
        Assert.Equal("/etc/kea/other.key", partner.KeyFile);
        Assert.DoesNotContain(warnings, w => w.Contains("TLS to and from peers", StringComparison.Ordinal));
    }

    private string File(string name) => Path.Combine(_dir.Path, name);

    private void MakeCa(string name) => new OpenSslCertificates(_dir.Path).MakeCa(name);

    private void MakeLeaf(string name, string ca, string extension) =>
        new OpenSslCertificates(_dir.Path).MakeLeaf(name, ca, extension + "\nextendedKeyUsage=serverAuth,clientAuth");
}
