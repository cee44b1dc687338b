using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// HTTPS control sockets with real certificates made by <c>openssl</c> in a temp directory: a CA, a server
/// certificate and client certificates from that CA and from a stranger CA.
/// </summary>
public sealed class TlsChannelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TlsChannelTests()
    {
        MakeCa("ca");
        MakeCa("other-ca");
        MakeLeaf("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        MakeLeaf("client", "ca", "extendedKeyUsage=clientAuth");
        MakeLeaf("stranger", "other-ca", "extendedKeyUsage=clientAuth");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Cert_required_answers_a_client_with_a_certificate_from_the_trust_anchor_and_refuses_others()
    {
        await using var listener = await StartAsync(certRequired: true);

        var answer = await PostAsync(listener.BoundPort, "client");
        ControlAssert.Result((JsonObject)Assert.Single(answer)!, ControlResult.Success, "9.9.9");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync(listener.BoundPort, clientName: null));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync(listener.BoundPort, "stranger"));
    }

    [Fact]
    public async Task Without_cert_required_a_client_without_a_certificate_is_answered()
    {
        await using var listener = await StartAsync(certRequired: false);

        var answer = await PostAsync(listener.BoundPort, clientName: null);
        ControlAssert.Result((JsonObject)Assert.Single(answer)!, ControlResult.Success, "9.9.9");
        answer = await PostAsync(listener.BoundPort, "client");
        ControlAssert.Result((JsonObject)Assert.Single(answer)!, ControlResult.Success, "9.9.9");
    }

    [Fact]
    public async Task Rbac_names_the_role_after_the_client_certificates_subject_or_issuer()
    {
        // The client certificate's subject CN is "client", its issuer's "ca".
        var bySubject = Rbac("""{ "assign-role-method": "cert-subject", "api-files": "/x", "roles": [ { "name": "client", "accept-commands": "READ" } ] }""");
        await using (var listener = await StartAsync(certRequired: false, bySubject))
        {
            ControlAssert.Result((JsonObject)Assert.Single(await PostAsync(listener.BoundPort, "client"))!, ControlResult.Success, "9.9.9");
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(listener.BoundPort, "client", "config-write"));

            // No certificate: no common name, so the default role, which refuses everything.
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(listener.BoundPort, null, "version-get"));
        }

        var byIssuer = Rbac("""{ "assign-role-method": "cert-issuer", "api-files": "/x", "roles": [ { "name": "ca", "accept-commands": "ALL" } ] }""");
        await using (var listener = await StartAsync(certRequired: false, byIssuer))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(listener.BoundPort, "client", "config-write"));
        }
    }

    private static Pukeko.Server.BuiltIn.Rbac.RbacOptions Rbac(string parameters)
    {
        var config = Configuration.ConfigTest.LoadOk(Configuration.ConfigTest.Dhcp6($$"""
            "hooks-libraries": [ { "library": "libdhcp_rbac.so", "parameters": {{parameters}} } ]
            """));
        return Assert.IsType<Pukeko.Server.BuiltIn.Rbac.RbacOptions>(Assert.Single(config.HooksLibraries).BuiltInOptions);
    }

    private async Task<HttpCommandListener> StartAsync(bool certRequired, Pukeko.Server.BuiltIn.Rbac.RbacOptions? rbac = null)
    {
        var config = new ControlSocketConfig
        {
            Type = ControlSocketType.Https,
            Address = "127.0.0.1",
            Port = 0,
            TrustAnchor = File("ca.pem"),
            CertFile = File("server.pem"),
            KeyFile = File("server.key"),
            CertRequired = certRequired,
        };
        var dispatcher = new CommandDispatcher(null, NullLogger.Instance);
        dispatcher.Register("version-get", (_, _) => ValueTask.FromResult(ControlAnswer.Success("9.9.9")));
        dispatcher.Register("config-write", (_, _) => ValueTask.FromResult(ControlAnswer.Success("written")));
        var listener = new HttpCommandListener(config, dispatcher, null, NullLogger.Instance, () => rbac);
        await listener.StartAsync(CancellationToken.None);
        return listener;
    }

    private async Task<JsonArray> PostAsync(int port, string? clientName)
    {
        using var http = Client(clientName);
        using var response = await http.PostAsync(
            new Uri($"https://127.0.0.1:{port}/"),
            new StringContent("""{"command": "version-get"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
    }

    private async Task<HttpStatusCode> StatusAsync(int port, string? clientName, string command)
    {
        using var http = Client(clientName);
        using var response = await http.PostAsync(
            new Uri($"https://127.0.0.1:{port}/"),
            new StringContent($$"""{"command": "{{command}}"}""", Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    /// <summary>An HTTPS client that checks the server against the test CA and presents <paramref name="clientName"/>'s certificate (none when null).</summary>
    private HttpClient Client(string? clientName)
    {
        var anchor = X509CertificateLoader.LoadCertificateFromFile(File("ca.pem"));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            // The client checks the server against the test CA, as kea-shell with --ca would.
            if (certificate is not X509Certificate2 presented || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(presented);
        };
        if (clientName is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(File(clientName + ".pem"), File(clientName + ".key"));
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private string File(string name) => Path.Combine(_dir.Path, name);

    private void MakeCa(string name) => new OpenSslCertificates(_dir.Path).MakeCa(name);

    private void MakeLeaf(string name, string ca, string extension) =>
        new OpenSslCertificates(_dir.Path).MakeLeaf(name, ca, extension);
}
