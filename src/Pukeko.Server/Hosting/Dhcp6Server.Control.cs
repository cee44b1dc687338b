using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Channels;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Hooks;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Hosting;

/// <summary>The server's side of the control channel: command dispatch, sockets, configuration by command.</summary>
internal sealed partial class Dhcp6Server
{
    /// <summary>How often changed statistics are recorded into their sample history.</summary>
    public static readonly TimeSpan StatisticsSampleInterval = TimeSpan.FromSeconds(1);

    private CommandDispatcher _commands = null!;
    private ControlChannelHost _channels = null!;
    private NetworkState _network = null!;
    private PrometheusExporter _prometheus = null!;
    private ITimer? _sampler;
    private ILogger _commandLog = null!;
    private long _startedAtTicks;
    private long _reconfiguredAtTicks;
    // Computed when first asked for (a command), not at every apply: hashing loads the runtime's OpenSSL binding, about
    // 6.6 MB of resident memory (measured on an idle server) that a server nobody queries would carry for nothing.
    private Lazy<string> _configHash = new(string.Empty);

    /// <summary>Kea's command set; channels and tests send commands here.</summary>
    public CommandDispatcher Commands => _commands;

    /// <summary>The hook seam for commands; the hooks layer replaces it when libraries load.</summary>
    public ICommandExtensions CommandExtensions
    {
        get => _commands.Extensions;
        set => _commands.Extensions = value;
    }

    public NetworkState Network => _network;

    public ControlChannelHost ControlChannels => _channels;

    public PrometheusExporter Prometheus => _prometheus;

    public ServerVersion Version => _options.Version;

    public string ConfigFile => _options.ConfigFile;

    public ConfigEnvironment Directories => _environment;

    public TimeProvider Time => _time;

    public Dhcp6Processor? Processor => _processor;

    public DateTimeOffset StartedAt => new(Interlocked.Read(ref _startedAtTicks), TimeSpan.Zero);

    public DateTimeOffset ReconfiguredAt => new(Interlocked.Read(ref _reconfiguredAtTicks), TimeSpan.Zero);

    /// <summary>SHA-256 (upper-case hex) of the running configuration as <c>config-get</c> returns it.</summary>
    public string ConfigHash => Volatile.Read(ref _configHash).Value;

    /// <summary>Raised by the <c>shutdown</c> command with its exit value; the daemon stops the host.</summary>
    public event Action<int>? ShutdownRequested;

    public void RequestShutdown(int exitValue) => ShutdownRequested?.Invoke(exitValue);

    private void InitializeControl()
    {
        _commandLog = _loggers.CreateLogger("kea-dhcp6.commands");
        _network = new NetworkState(_time);
        _network.Changed += OnNetworkStateChanged;
        _commands = new CommandDispatcher(null, _commandLog);
        BuiltInCommands.Register(_commands, this);
        _prometheus = new PrometheusExporter(Statistics);
        _channels = new ControlChannelHost(
            _commands, _prometheus.WriteAsync, _commandLog, () => Config?.HooksLibraries.Select(l => l.BuiltInOptions).OfType<BuiltIn.Rbac.RbacOptions>().FirstOrDefault());
        _sampler = _time.CreateTimer(static s => ((StatisticsRegistry)s!).SampleAll(), Statistics, StatisticsSampleInterval, StatisticsSampleInterval);
        var now = _time.GetUtcNow().UtcTicks;
        _startedAtTicks = now;
        _reconfiguredAtTicks = now;
    }

    private void OnNetworkStateChanged(bool enabled)
    {
        if (_processor is { } processor)
        {
            processor.ServiceEnabled = _network.Enabled;
        }
    }

    // Runs under the reconfiguration lock, after the new runtime is in place.
    private void AfterApply(DhcpConfig config)
    {
        _processor!.ServiceEnabled = _network.Enabled;
        Statistics.SetAllLimits(SampleLimits.FromDefaults(config.StatisticDefaultSampleCount, config.StatisticDefaultSampleAge));
        SubnetStatistics.Initialize(Statistics, config.Subnets);
        Volatile.Write(ref _configHash, new Lazy<string>(() => ComputeHash(config), LazyThreadSafetyMode.ExecutionAndPublication));
        Interlocked.Exchange(ref _reconfiguredAtTicks, _time.GetUtcNow().UtcTicks);
        foreach (var library in config.HooksLibraries)
        {
            if (KeaNativeLibraries.Find(library.Library) is { Kind: KeaNativeLibraryKind.BuiltIn } native)
            {
                _log.LogInformation(
                    new EventId(0, "DHCP6_HOOKS_LIBRARY_BUILT_IN"),
                    "hooks library {Library} is built into this server: {Function}",
                    library.Library,
                    native.Consequence);
            }
        }
    }

    /// <summary>True for Kea's library names whose function this server implements natively (lease_cmds, the forensic log).</summary>
    public static bool IsBuiltInHookLibrary(string library) =>
        KeaNativeLibraries.Find(library) is { Kind: KeaNativeLibraryKind.BuiltIn };

    private async Task ApplyControlChannelsAsync(DhcpConfig config, CancellationToken cancellationToken)
    {
        await _channels.ApplyAsync(config.ControlSockets, cancellationToken).ConfigureAwait(false);
        await _channels.ApplyDedicatedAsync([.. HaDedicatedListener.For(config).Select(l => l.Socket)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The running configuration as <c>config-get</c> answers: <c>{"Dhcp6": {...}, "hash": "..."}</c>.</summary>
    public JsonObject? RunningConfigJson()
    {
        var config = Config;
        if (config is null)
        {
            return null;
        }

        var root = JsonNode.Parse(config.Source.GetRawText(), documentOptions: ConfigLoader.JsonOptions) as JsonObject ?? [];
        var result = new JsonObject { ["Dhcp6"] = root["Dhcp6"]?.DeepClone() };
        result["hash"] = ConfigHash;
        return result;
    }

    internal static string ComputeHash(DhcpConfig config)
    {
        // With the loader's options: text it accepted (a trailing comma) must not fail here, where nothing catches it
        // and the new configuration is already in place (found by fuzzing).
        var root = JsonNode.Parse(config.Source.GetRawText(), documentOptions: ConfigLoader.JsonOptions) as JsonObject;
        var text = new JsonObject { ["Dhcp6"] = root?["Dhcp6"]?.DeepClone() }.ToJsonString();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Validates configuration text without applying it (<c>config-test</c>).</summary>
    public ConfigLoadResult TestText(string json)
    {
        var result = ConfigLoader.LoadText(json, Path.GetDirectoryName(_options.ConfigFile), _environment);
        return result;
    }

    /// <summary>
    /// <c>config-set</c>: a bad configuration is answered with the reason and the running one keeps serving; a
    /// good one is swapped in (queries in flight finish with the configuration they started with).
    /// </summary>
    public async Task<ConfigApplyOutcome> ApplyTextAsync(string json, CancellationToken cancellationToken)
    {
        var result = TestText(json);
        if (!result.Success)
        {
            var reason = string.Join("; ", result.Errors);
            _log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using command: {Reason}", reason);
            return new ConfigApplyOutcome(false, reason);
        }

        return await ExclusiveConfigChangeAsync(() => ApplyConfigAsync(result.Config!, "command", cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>config-reload</c>: the configuration file again, with the same answers as <c>config-set</c>.</summary>
    public async Task<ConfigApplyOutcome> ReloadFileAsync(CancellationToken cancellationToken)
    {
        ConfigLoadResult result;
        try
        {
            result = ConfigLoader.LoadFile(_options.ConfigFile, _environment);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ConfigApplyOutcome(false, ex.Message);
        }

        if (!result.Success)
        {
            var reason = string.Join("; ", result.Errors);
            _log.LogError(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_FAIL"), "dynamic server reconfiguration failed with file: {File}: {Reason}", _options.ConfigFile, reason);
            return new ConfigApplyOutcome(false, reason);
        }

        var outcome = await ExclusiveConfigChangeAsync(() => ApplyConfigAsync(result.Config!, _options.ConfigFile, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (outcome.Success)
        {
            _log.LogInformation(new EventId(0, "DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS"), "dynamic server reconfiguration succeeded with file: {File}", _options.ConfigFile);
        }

        return outcome;
    }

    /// <summary>Kea's debug line with the configuration being applied; secrets are masked first.</summary>
    private void LogConfigStart(DhcpConfig config)
    {
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug(new EventId(0, "DHCP6_CONFIG_START"), "DHCPv6 server is processing the following configuration: {Config}", Logging.SecretRedactor.RedactToString(config.Source));
        }
    }

    private async Task<ConfigApplyOutcome> ApplyConfigAsync(DhcpConfig config, string source, CancellationToken cancellationToken)
    {
        try
        {
            LogConfigStart(config);
            Configured?.Invoke(config);
            await ApplyAsync(config, cancellationToken).ConfigureAwait(false);
            await ApplyControlChannelsAsync(config, cancellationToken).ConfigureAwait(false);
            _log.LogInformation(new EventId(0, "DHCP6_CONFIG_COMPLETE"), "DHCPv6 server has completed configuration from {Source}", source);
            return new ConfigApplyOutcome(true, "Configuration successful.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            _log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), ex, "configuration error using {Source}: {Reason}", source, ex.Message);
            return new ConfigApplyOutcome(false, ex.Message);
        }
    }

    /// <summary>
    /// <c>config-write</c>: the running configuration to <paramref name="fileName"/> (default: the startup file; a
    /// relative name is in the configuration file's directory). The file is mode 0640. Returns the path and size.
    /// </summary>
    /// <remarks>
    /// Kea 3.x (and 2.6.3 on) only writes into the configuration file's directory; Kea 2.2 writes wherever it is told.
    /// Pukeko is never stricter than the Kea a configuration was written for, so the directory rule holds for a
    /// configuration in Kea 3.x's style, and elsewhere a file outside the directory is written with a warning.
    /// </remarks>
    public (string Path, long Size) WriteConfig(string? fileName)
    {
        var directory = Path.GetDirectoryName(_options.ConfigFile) ?? "/";
        var path = Path.GetFullPath(string.IsNullOrEmpty(fileName) ? _options.ConfigFile : Path.Combine(directory, fileName));
        if (!string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(directory), StringComparison.Ordinal))
        {
            if (Config is { WrittenForKea3: true })
            {
                // Kea 3.x's wording; -X does not relax this rule in Kea (it is not one of its path security checks).
                throw new CommandArgumentException($"not allowed to write config into {fileName}: file {fileName} must be in the same directory as the config file ({_options.ConfigFile})");
            }

            _log.LogWarning(
                new EventId(0, "DHCP6_CONFIG_WRITE_OUTSIDE_CONFIG_DIR"),
                "config-write to {File}, outside the configuration file's directory {Directory}: allowed for a Kea 2.x configuration, refused in Kea 3.x style",
                path,
                directory);
        }

        var json = RunningConfigJson() ?? throw new InvalidOperationException("no configuration is running");
        json.Remove("hash");
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        RestrictedFile.Replace(path, bytes);
        return (path, bytes.Length);
    }

    private async Task StopControlAsync()
    {
        _sampler?.Dispose();
        _sampler = null;
        await _channels.DisposeAsync().ConfigureAwait(false);
        _network.Dispose();
    }
}
