using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Logging;

/// <summary>
/// <c>Microsoft.Extensions.Logging</c> provider that writes Kea-layout lines and is configured
/// with Kea <c>loggers</c> entries. Create one per process, register it with
/// <see cref="KeaLoggingBuilderExtensions.AddKeaLogging"/>, and call <see cref="Apply"/> after
/// every (re)configuration. Until then it logs to stdout at INFO (DEBUG 99 when
/// <see cref="KeaLoggingOptions.Verbose"/>), like kea-dhcp6 before it has read its config.
/// <para>
/// Filtering is lock-free: each logger compares one integer against a rule taken from an
/// immutable snapshot that <see cref="Apply"/> replaces atomically. Enabled messages are written
/// under a per-destination lock, one whole line per write.
/// </para>
/// <para>
/// Category mapping: <c>kea-dhcp6</c> and <c>kea-dhcp6.*</c> are Kea loggers; a category without
/// a dot is expanded to <c>kea-dhcp6.NAME</c> (as Kea expands hook library logger names); any
/// other (.NET) category, e.g. <c>Microsoft.Hosting.Lifetime</c>, is printed as
/// <c>kea-dhcp6.dhcp6</c>, follows that logger's rule and is never emitted below WARN.
/// Each message goes to the outputs of the most specific configured logger only (no duplicate
/// lines when a child logger shares the root's file).
/// </para>
/// </summary>
[ProviderAlias("Kea")]
internal sealed class KeaLoggerProvider : ILoggerProvider
{
    private readonly KeaLoggingOptions _options;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly object _configGate = new();
    private readonly Dictionary<string, KeaSink> _registry = new(StringComparer.Ordinal);
    private HashSet<KeaSink> _active = [];
    private volatile Snapshot _snapshot;
    private bool _disposed;

    public KeaLoggerProvider(KeaLoggingOptions? options = null)
    {
        _options = options ?? new KeaLoggingOptions();
        _stdout = _options.Stdout ?? Console.Out;
        _stderr = _options.Stderr ?? Console.Error;
        _snapshot = Build([]);
    }

    /// <summary>The options this provider was created with.</summary>
    public KeaLoggingOptions Options => _options;

    /// <summary>The configuration currently in force (after normalisation and the -d override).</summary>
    public IReadOnlyList<KeaLoggerSpec> CurrentSpecs => _snapshot.Specs;

    /// <summary>
    /// Replaces the whole logging configuration atomically. An empty list restores the
    /// default (root logger to stdout at INFO, or DEBUG 99 when verbose). Files are opened
    /// (append, created 0640) before the switch; on any error a
    /// <see cref="KeaLoggingConfigException"/> is thrown and the old configuration stays.
    /// Messages logged concurrently are written either under the old or the new configuration.
    /// </summary>
    public void Apply(IReadOnlyList<KeaLoggerSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        lock (_configGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Snapshot next = Build(specs);
            Snapshot previous = _snapshot;
            _snapshot = next;
            foreach (KeaSink sink in previous.Sinks)
            {
                if (!next.Sinks.Contains(sink))
                {
                    sink.Deactivate();
                }
            }
            _active = next.Sinks;
        }
    }

    /// <summary>Checks a configuration without applying it (what <c>-t</c> needs). Returns null when valid, else the error text.</summary>
    public static string? Validate(IReadOnlyList<KeaLoggerSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        try
        {
            foreach (KeaLoggerSpec spec in specs)
            {
                _ = ParseRule(spec);
                foreach (KeaOutputSpec o in spec.Outputs ?? [])
                {
                    ValidateOutput(o);
                }
            }
            return null;
        }
        catch (KeaLoggingConfigException ex)
        {
            return ex.Message;
        }
    }

    public ILogger CreateLogger(string categoryName) => new KeaLogger(this, categoryName ?? string.Empty);

    /// <summary>Flushes all outputs (for outputs with <c>flush: false</c>).</summary>
    public void Flush()
    {
        foreach (KeaSink sink in _snapshot.Sinks)
        {
            sink.Flush();
        }
    }

    public void Dispose()
    {
        lock (_configGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (KeaSink sink in _registry.Values)
            {
                try
                {
                    sink.Deactivate();
                }
                catch (IOException)
                {
                }
            }
        }
    }

    internal Snapshot Current => _snapshot;

    internal void Warn(string text)
    {
        try
        {
            lock (_stderr)
            {
                _stderr.WriteLine(text);
                _stderr.Flush();
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // ---- building snapshots -------------------------------------------------------------

    private static (string Name, int Threshold) ParseRule(KeaLoggerSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Name))
        {
            throw new KeaLoggingConfigException("logger name must not be empty");
        }
        if (!KeaSeverities.TryParse(spec.Severity, out KeaSeverity severity))
        {
            throw new KeaLoggingConfigException($"unsupported severity '{spec.Severity}' for logger '{spec.Name}' (expected DEBUG, INFO, WARN, ERROR, FATAL or NONE)");
        }
        if (spec.DebugLevel is < 0 or > KeaSeverities.MaxDebugLevel)
        {
            throw new KeaLoggingConfigException($"debuglevel {spec.DebugLevel} for logger '{spec.Name}' is out of range 0..{KeaSeverities.MaxDebugLevel}");
        }
        return (KeaLoggers.Normalize(spec.Name.Trim()), KeaSeverities.Rank(severity, spec.DebugLevel));
    }

    private static void ValidateOutput(KeaOutputSpec o)
    {
        if (string.IsNullOrWhiteSpace(o.Output))
        {
            throw new KeaLoggingConfigException("logging output must not be empty");
        }
        if (o.MaxSize < 0)
        {
            throw new KeaLoggingConfigException($"maxsize {o.MaxSize} of output '{o.Output}' must not be negative");
        }
        if (o.MaxVer < 0)
        {
            throw new KeaLoggingConfigException($"maxver {o.MaxVer} of output '{o.Output}' must not be negative");
        }
    }

    private Snapshot Build(IReadOnlyList<KeaLoggerSpec> input)
    {
        List<KeaLoggerSpec> specs = [.. input];
        bool verbose = _options.Verbose;
        if (!specs.Exists(s => KeaLoggers.Normalize(s.Name?.Trim() ?? string.Empty) == KeaLoggers.Root))
        {
            // Unconfigured root: stdout, INFO (DEBUG 99 with -d).
            specs.Insert(0, new KeaLoggerSpec(KeaLoggers.Root, verbose ? "DEBUG" : "INFO", verbose ? KeaSeverities.MaxDebugLevel : 0));
        }

        var rules = new Dictionary<string, (int Threshold, IReadOnlyList<KeaOutputSpec>? Outputs)>(StringComparer.Ordinal);
        var normalized = new List<KeaLoggerSpec>(specs.Count);
        foreach (KeaLoggerSpec spec in specs)
        {
            (string name, int threshold) = ParseRule(spec);
            if (verbose)
            {
                threshold = KeaSeverities.Rank(KeaSeverity.Debug, KeaSeverities.MaxDebugLevel);
            }
            foreach (KeaOutputSpec o in spec.Outputs ?? [])
            {
                ValidateOutput(o);
            }
            rules[name] = (threshold, spec.Outputs is { Count: > 0 } ? spec.Outputs : null);
            normalized.Add(verbose
                ? spec with { Name = name, Severity = "DEBUG", DebugLevel = KeaSeverities.MaxDebugLevel }
                : spec with { Name = name });
        }

        IReadOnlyList<KeaOutputSpec> rootOutputs = rules[KeaLoggers.Root].Outputs ?? [new KeaOutputSpec("stdout")];

        // Resolve sinks, merging per-destination settings (flush if any wants it; first maxsize/maxver).
        var settings = new Dictionary<KeaSink, (bool Flush, long MaxSize, int MaxVer)>();
        var created = new List<KeaSink>();
        var ruleObjects = new Dictionary<string, Rule>(StringComparer.Ordinal);
        try
        {
            foreach ((string name, (int threshold, IReadOnlyList<KeaOutputSpec>? outs)) in rules)
            {
                var outputs = new List<Output>();
                foreach (KeaOutputSpec o in outs ?? rootOutputs)
                {
                    KeaSink sink = GetSink(o.Output.Trim(), created, out bool syslog);
                    settings[sink] = settings.TryGetValue(sink, out var s)
                        ? (s.Flush || o.Flush, s.MaxSize, s.MaxVer)
                        : (o.Flush, o.MaxSize, o.MaxVer);
                    string pattern = string.IsNullOrEmpty(o.Pattern)
                        ? (syslog ? KeaOutputSpec.DefaultSyslogPattern : KeaOutputSpec.DefaultPattern)
                        : o.Pattern;
                    outputs.Add(new Output(pattern == KeaOutputSpec.DefaultPattern ? KeaPattern.Default : KeaPattern.Parse(pattern), sink));
                }
                ruleObjects[name] = new Rule(name, threshold, [.. outputs]);
            }
            foreach (KeaSink sink in settings.Keys)
            {
                sink.Activate();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            foreach (KeaSink sink in settings.Keys)
            {
                if (_snapshot is not { } current || !current.Sinks.Contains(sink))
                {
                    sink.Deactivate();
                }
            }
            foreach (KeaSink sink in created)
            {
                sink.Deactivate();
                _registry.Remove(sink.Key);
            }
            throw new KeaLoggingConfigException($"failed to open log output: {ex.Message}", ex);
        }

        foreach ((KeaSink sink, (bool flush, long maxSize, int maxVer)) in settings)
        {
            sink.Configure(flush, maxSize, maxVer);
        }
        return new Snapshot(ruleObjects.ToFrozenDictionary(StringComparer.Ordinal), [.. settings.Keys], normalized);
    }

    private KeaSink GetSink(string output, List<KeaSink> created, out bool syslog)
    {
        syslog = false;
        string key;
        Func<KeaSink> factory;
        if (output.Equals("stdout", StringComparison.OrdinalIgnoreCase))
        {
            key = "stdout";
            factory = () => new ConsoleSink("stdout", _stdout);
        }
        else if (output.Equals("stderr", StringComparison.OrdinalIgnoreCase))
        {
            key = "stderr";
            factory = () => new ConsoleSink("stderr", _stderr);
        }
        else if (output.Equals("syslog", StringComparison.OrdinalIgnoreCase)
            || output.StartsWith("syslog:", StringComparison.OrdinalIgnoreCase))
        {
            syslog = true;
            string facility = output.Length > 7 ? output[7..].Trim() : "local0";
            if (facility.Length == 0)
            {
                facility = "local0";
            }
            if (!SyslogSink.IsKnownFacility(facility))
            {
                throw new KeaLoggingConfigException($"unknown syslog facility '{facility}' in output '{output}'");
            }
            key = "syslog:" + facility.ToLowerInvariant();
            factory = () => new SyslogSink(facility, _options.SyslogSocketPath, _options.SyslogIdent, _options.ProcessId, Warn);
        }
        else
        {
            string path = System.IO.Path.GetFullPath(output);
            key = "file:" + path;
            factory = () => new FileSink(path, _options.MinimumRotationSize);
        }
        if (!_registry.TryGetValue(key, out KeaSink? sink))
        {
            sink = factory();
            _registry[key] = sink;
            created.Add(sink);
        }
        return sink;
    }

    // ---- runtime types ------------------------------------------------------------------

    internal sealed record Output(KeaPattern Pattern, KeaSink Sink);

    internal sealed class Rule(string name, int threshold, Output[] outputs)
    {
        public string Name { get; } = name;
        public int Threshold { get; } = threshold;
        public Output[] Outputs { get; } = outputs;
    }

    internal sealed class Snapshot(FrozenDictionary<string, Rule> rules, HashSet<KeaSink> sinks, IReadOnlyList<KeaLoggerSpec> specs)
    {
        public HashSet<KeaSink> Sinks { get; } = sinks;
        public IReadOnlyList<KeaLoggerSpec> Specs { get; } = specs;

        /// <summary>Most specific configured logger for a Kea name: the name itself, then its dotted ancestors, then the root.</summary>
        public Rule Resolve(string keaName)
        {
            string name = keaName;
            while (true)
            {
                if (rules.TryGetValue(name, out Rule? rule))
                {
                    return rule;
                }
                int dot = name.LastIndexOf('.');
                if (dot <= 0)
                {
                    return rules[KeaLoggers.Root];
                }
                name = name[..dot];
            }
        }
    }
}
