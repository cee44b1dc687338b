using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pukeko.Daemon.CommandLine;
using Pukeko.Daemon.Hosting;
using Pukeko.Server.Hosting;
using Pukeko.Server.PostgreSql;
using Pukeko.Server.Logging;

// pukeko-dhcp6: kea-dhcp6's command line, Kea's log format, Kea's files.
var parsed = KeaCommandLine.Parse(args);
if (parsed is CommandLineError error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(KeaCommandLine.Usage);
    return error.ExitCode;
}

var options = (CommandLineOptions)parsed;
switch (options.Mode)
{
    case RunMode.Version:
        Console.WriteLine(VersionInfo.Short);
        return 0;
    case RunMode.ExtendedVersion:
        Console.WriteLine(VersionInfo.Extended);
        return 0;
    case RunMode.BuildReport:
        Console.WriteLine(VersionInfo.BuildReport);
        return 0;
}

using var logging = new KeaLoggerProvider(new KeaLoggingOptions { Verbose = options.Debug });
var environment = DaemonEnvironment.From(options, Environment.GetEnvironmentVariable);
var configFile = options.ConfigFile!;

if (options.Mode is RunMode.ImportLeases or RunMode.ExportLeases)
{
    using var factory = LoggerFactory.Create(b => b.AddKeaLogging(logging).SetMinimumLevel(LogLevel.Trace));
    var copyResult = await LeaseCopyCommand.RunAsync(options, environment, factory, PgSqlLeaseStore.OpenAsync, Console.Out, Console.Error).ConfigureAwait(false);
    logging.Flush();
    return copyResult;
}

if (options.IsCheckOnly)
{
    using var factory = LoggerFactory.Create(b => b.AddKeaLogging(logging).SetMinimumLevel(LogLevel.Trace));
    var checkResult = ConfigCheck.Run(configFile, environment, factory, Console.Error);
    logging.Flush();
    return checkResult;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddKeaLogging(logging);
builder.Logging.SetMinimumLevel(LogLevel.Trace);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
// Started by systemd (Type=notify), the host tells it READY=1 once every hosted service has started, so
// "systemctl start" returns after the sockets are bound, and STOPPING=1 on shutdown. Anywhere else this adds
// nothing and the console lifetime stays. Its console-format setting does not matter: the Kea provider is the only
// one, and the lifetime's own INFO lines are below what the Kea provider prints for .NET categories.
builder.Services.AddSystemd();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp =>
{
    var server = new Dhcp6Server(
        new ServerOptions(Path.GetFullPath(configFile), (ushort)options.ServerPort, (ushort)options.ClientPort)
        {
            Version = new ServerVersion(VersionInfo.Short, VersionInfo.Extended, VersionInfo.BuildReport),
            OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync,
            OpenPostgreSqlHostSource = PgSqlHostDataSource.OpenAsync,
            OpenPostgreSqlForensicLog = PgSqlForensicLog.Open,
        },
        environment,
        sp.GetRequiredService<ILoggerFactory>(),
        TimeProvider.System);
    server.Configured += config => logging.Apply(LoggingConfiguration.ToSpecs(config.Loggers, environment.LogDirectory));
    return server;
});
builder.Services.AddHostedService(sp => new Dhcp6HostedService(
    sp.GetRequiredService<Dhcp6Server>(),
    sp.GetRequiredService<IHostApplicationLifetime>(),
    sp.GetRequiredService<ILoggerFactory>(),
    VersionInfo.Short));

using var host = builder.Build();
using var pidFile = PidFile.Create(configFile, out var runningPid);
if (pidFile is null)
{
    var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("kea-dhcp6.dhcp6");
    log.LogCritical(new EventId(0, "DHCP6_ALREADY_RUNNING"), "{Name} already running? PID {Pid} owns the PID file", "kea-dhcp6", runningPid);
    logging.Flush();
    Console.Error.WriteLine($"Failed to initialize server: Service failed: another server (PID {runningPid}) is already running with this configuration");
    return 1;
}


// The "shutdown" command stops the host like SIGTERM, with the exit value it carries.
var exitCode = 0;
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
host.Services.GetRequiredService<Dhcp6Server>().ShutdownRequested += value =>
{
    exitCode = value;
    lifetime.StopApplication();
};
try
{
    await host.StartAsync().ConfigureAwait(false);
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    var reason = ex is ConfigurationRejectedException rejected ? string.Join("; ", rejected.Errors) : ex.Message;
    if (ex is ConfigurationRejectedException { Loggers.Count: > 0 } withLoggers)
    {
        // Kea applies logging before the rest of the configuration, so the reason reaches the configured log.
        logging.Apply(LoggingConfiguration.ToSpecs(withLoggers.Loggers, environment.LogDirectory));
    }

    var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("kea-dhcp6.dhcp6");
    log.LogCritical(new EventId(0, "DHCP6_INIT_FAIL"), "failed to initialize Kea server: configuration error using file: {File}, reason: {Reason}", configFile, reason);
    logging.Flush();
    Console.Error.WriteLine($"Failed to initialize server: Service failed: {reason}");
    return 1;
}

await host.WaitForShutdownAsync().ConfigureAwait(false);
logging.Flush();
return exitCode;
