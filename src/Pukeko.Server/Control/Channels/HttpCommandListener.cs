using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pukeko.Server.BuiltIn.Rbac;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Control.Channels;

/// <summary>
/// An HTTP or HTTPS control socket served by Kestrel inside the server process (Kea ≥ 2.7 serves HTTP itself).
/// <c>POST</c> carries one command; the answer is wrapped in a one-element list as Kea's Control Agent did.
/// Basic authentication failures are answered 401 with a Kea-style body. <c>GET /metrics</c> serves the
/// Prometheus exposition on the same listener. With <see cref="ControlSocketConfig.AcceptedCommands"/> (the dedicated HA
/// listener's <c>restrict-commands</c>) other commands are answered 403, as Kea's command filter does. The other
/// listeners apply role-based access control when the configuration loads Kea's RBAC library (<see cref="RbacOptions"/>).
/// </summary>
internal sealed class HttpCommandListener : IAsyncDisposable
{
    private const long MaxBodyBytes = 64 * 1024 * 1024;

    private readonly CommandDispatcher _dispatcher;
    private readonly Func<Stream, CancellationToken, Task>? _metrics;
    private readonly Func<RbacOptions?> _rbac;
    private readonly ILogger _log;
    private volatile ControlSocketConfig _config;
    private WebApplication? _app;
    private int _stopped;

    /// <param name="rbac">The running configuration's RBAC settings; null when it loads no RBAC library.</param>
    public HttpCommandListener(ControlSocketConfig config, CommandDispatcher dispatcher, Func<Stream, CancellationToken, Task>? metrics, ILogger log, Func<RbacOptions?>? rbac = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _dispatcher = dispatcher;
        _metrics = metrics;
        _rbac = rbac ?? (static () => null);
        _log = log;
    }

    /// <summary>The socket's settings; authentication and headers may be swapped on a running listener.</summary>
    public ControlSocketConfig Config
    {
        get => _config;
        set => _config = value;
    }

    /// <summary>The port actually bound (differs from the configured one when that is 0).</summary>
    public int BoundPort { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = _config;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Listen(IPAddress.Parse(config.Address), config.Port, listen =>
            {
                if (config.UsesTls)
                {
                    listen.UseHttps(CreateTlsOptions(config));
                }

                // After TLS, so it sees the request in clear: Kea's bare IPv6 Host header would be refused otherwise.
                listen.Use(BareIpv6HostRepair.Middleware);
            });
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        BoundPort = address is not null && Uri.TryCreate(address.Replace("[::]", "[::1]", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : config.Port;
        _log.LogInformation(
            new EventId(0, "COMMAND_HTTP_LISTENER_STARTED"),
            "Command {Scheme} listener started with {Threads} threads, listening on address: {Address}, port: {Port}, use TLS: {Tls}",
            config.UsesTls ? "HTTPS" : "HTTP",
            1,
            config.Address,
            BoundPort,
            config.UsesTls);
    }

    private static HttpsConnectionAdapterOptions CreateTlsOptions(ControlSocketConfig config)
    {
        var certificate = X509Certificate2.CreateFromPemFile(config.CertFile!, config.KeyFile);
        X509Certificate2Collection? anchors = null;
        if (config.TrustAnchor is { } anchor)
        {
            anchors = [];
            if (Directory.Exists(anchor))
            {
                foreach (var file in Directory.EnumerateFiles(anchor))
                {
                    anchors.ImportFromPemFile(file);
                }
            }
            else
            {
                anchors.ImportFromPemFile(anchor);
            }
        }

        var options = new HttpsConnectionAdapterOptions
        {
            // Kestrel needs the private key in a form the platform TLS stack can use.
            ServerCertificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null),
            ClientCertificateMode = config.CertRequired && anchors is not null ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate,
        };
        options.ClientCertificateValidation = (cert, _, _) =>
        {
            if (anchors is null)
            {
                return !config.CertRequired || cert is null;
            }

            if (cert is null)
            {
                return !config.CertRequired;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(cert);
        };
        return options;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var config = _config;
        foreach (var header in config.HttpHeaders)
        {
            context.Response.Headers[header.Name] = header.Value;
        }

        if (config.Authentication is { } auth && !IsAuthorized(context.Request, auth))
        {
            _log.LogInformation(new EventId(0, "HTTP_CLIENT_REQUEST_NOT_AUTHORIZED"), "HTTP request from {Remote} not authorized", context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{auth.Realm}\"";
            await WriteJsonAsync(context, ControlAnswer.Create(StatusCodes.Status401Unauthorized, "Unauthorized")).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/metrics" && _metrics is not null)
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await _metrics(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            await WriteJsonAsync(context, ControlAnswer.Create(StatusCodes.Status405MethodNotAllowed, "Method Not Allowed")).ConfigureAwait(false);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        JsonObject answer;
        if (body.Length == 0)
        {
            answer = ControlAnswer.Error("Error during command processing: empty request body");
        }
        else if (config.AcceptedCommands is { } accepted && CommandName(body) is { Length: > 0 } name && !accepted.Contains(name))
        {
            // Kea's command filter: 403 with a bare map, before the command is looked at any further.
            _log.LogDebug(new EventId(0, "COMMAND_HTTP_LISTENER_COMMAND_REJECTED"), "command '{Command}' from {Remote} refused: it is not one this listener accepts", name, context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await WriteJsonAsync(context, ControlAnswer.Create(StatusCodes.Status403Forbidden, "Forbidden")).ConfigureAwait(false);
            return;
        }
        else
        {
            var rbac = config.AcceptedCommands is null ? _rbac() : null;
            RbacRole? role = null;
            var command = "";
            if (rbac is not null)
            {
                if (rbac.RequireTls && !config.UsesTls)
                {
                    _log.LogInformation(new EventId(0, "RBAC_TLS_REQUIRED"), "HTTP request from {Remote} refused: RBAC requires TLS", context.Connection.RemoteIpAddress);
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await WriteJsonAsync(context, ControlAnswer.Create(StatusCodes.Status401Unauthorized, "Unauthorized")).ConfigureAwait(false);
                    return;
                }

                command = CommandName(body) ?? "";
                var assigned = RbacRequestRole.Of(context, rbac.Method, config.Authentication is not null);
                role = rbac.RoleFor(assigned);
                if (!rbac.Accepts(role, command))
                {
                    _log.LogInformation(new EventId(0, "RBAC_COMMAND_REJECTED"), "command '{Command}' from {Remote} refused for role '{Role}'", command, context.Connection.RemoteIpAddress, assigned);
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await WriteJsonAsync(context, ControlAnswer.Create(StatusCodes.Status403Forbidden, "Forbidden")).ConfigureAwait(false);
                    return;
                }
            }

            // Not tied to RequestAborted: a command that changes state must finish even if the client leaves.
            answer = await _dispatcher.ExecuteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), CancellationToken.None).ConfigureAwait(false);
            if (rbac is not null && role is { FilterListCommands: true } && command == "list-commands")
            {
                FilterListCommands(answer, rbac, role);
            }
        }

        await WriteJsonAsync(context, new JsonArray(answer)).ConfigureAwait(false);
    }

    /// <summary>RBAC's <c>list-commands</c> response filter: the commands the role may not run are left out.</summary>
    private static void FilterListCommands(JsonObject answer, RbacOptions rbac, RbacRole role)
    {
        if (answer["arguments"] is not JsonArray names)
        {
            return;
        }

        for (var i = names.Count - 1; i >= 0; i--)
        {
            if (names[i] is JsonValue value && value.TryGetValue<string>(out var name) && !rbac.Accepts(role, name))
            {
                names.RemoveAt(i);
            }
        }
    }

    /// <summary>The <c>command</c> of a request map; null when the body is not one (the dispatcher then answers the error).</summary>
    private static string? CommandName(MemoryStream body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("command", out var command)
                && command.ValueKind == JsonValueKind.String
                ? command.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsAuthorized(HttpRequest request, ControlAuthentication auth)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        var user = Encoding.UTF8.GetBytes(decoded[..colon]);
        var password = Encoding.UTF8.GetBytes(decoded[(colon + 1)..]);
        var match = false;
        foreach (var client in auth.Clients)
        {
            // Compare every entry in constant time, so timing tells nothing about which part was wrong.
            var userOk = CryptographicOperations.FixedTimeEquals(user, Encoding.UTF8.GetBytes(client.User));
            var passwordOk = CryptographicOperations.FixedTimeEquals(password, Encoding.UTF8.GetBytes(client.Password));
            match |= userOk & passwordOk;
        }

        return match;
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(CommandJson.Serialize(body));
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the listener. Kestrel unbinds at once and then lets requests in progress finish (up to
    /// <paramref name="drain"/>), so a command that replaced this listener still gets its answer.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(drain);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
}
