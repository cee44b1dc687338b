using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Hosting;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// Runs the server inside the generic host: SIGTERM/SIGINT stop it through the host lifetime,
/// SIGHUP reloads the configuration file (a bad file keeps the running configuration).
/// </summary>
internal sealed class Dhcp6HostedService(Dhcp6Server server, IHostApplicationLifetime lifetime, ILoggerFactory loggers, string version) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("kea-dhcp6.dhcp6");
    private PosixSignalRegistration? _hangup;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation(new EventId(0, "DHCP6_STARTING"), "Pukeko DHCPv6 server version {Version} starting", version);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        HangupDisposition.RestoreDefault();
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // the default action would terminate the process
            _ = Task.Run(ReloadOnHangupAsync);
        });
        _log.LogInformation(new EventId(0, "DHCP6_STARTED"), "Pukeko DHCPv6 server version {Version} started", version);
    }

    private async Task ReloadOnHangupAsync()
    {
        _log.LogInformation(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION"), "initiate server reconfiguration using file: {File}, after receiving SIGHUP signal", server.ConfigFile);
        try
        {
            await server.ReloadAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nobody awaits this task: a fault must be logged here or it is lost.
            _log.LogError(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_FAIL"), ex, "dynamic server reconfiguration failed with file: {File}: {Reason}", server.ConfigFile, ex.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        _hangup = null;
        _log.LogInformation(new EventId(0, "DHCP6_SHUTDOWN_REQUEST"), "shutdown of server requested");
        _log.LogInformation(new EventId(0, "DHCP6_SHUTDOWN"), "server shutdown");
        await server.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        return ValueTask.CompletedTask;
    }
}
