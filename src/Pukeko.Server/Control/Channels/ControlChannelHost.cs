using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Control.Channels;

/// <summary>
/// Keeps the running control sockets in line with the configuration. On reconfiguration a socket whose endpoint
/// is unchanged keeps running (new authentication and headers are swapped in place); a new endpoint is opened
/// before the answer to <c>config-set</c> is sent, and a removed one stops accepting at once while the command
/// that removed it still gets its answer.
/// </summary>
internal sealed class ControlChannelHost : IAsyncDisposable
{
    private static readonly TimeSpan HttpDrain = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On shutdown, how long requests in progress may finish (and how long a listener replaced earlier may still
    /// drain): a supervisor that restarts the server at once must find the process gone, and a "shutdown" command
    /// has its answer written before the stop begins.
    /// </summary>
    private static readonly TimeSpan ShutdownDrain = TimeSpan.FromMilliseconds(250);

    private readonly CommandDispatcher _dispatcher;
    private readonly Func<Stream, CancellationToken, Task>? _metrics;
    private readonly ILogger _log;
    private readonly Func<BuiltIn.Rbac.RbacOptions?>? _rbac;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, UnixCommandListener> _unix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HttpCommandListener> _http = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    private readonly List<HttpCommandListener> _dedicated = [];

    /// <param name="rbac">The running configuration's RBAC settings (null: none), applied by the HTTP listeners to each request.</param>
    public ControlChannelHost(CommandDispatcher dispatcher, Func<Stream, CancellationToken, Task>? metrics, ILogger log, Func<BuiltIn.Rbac.RbacOptions?>? rbac = null)
    {
        _dispatcher = dispatcher;
        _rbac = rbac;
        _metrics = metrics;
        _log = log;
    }

    /// <summary>The UNIX socket path in use, or null.</summary>
    public string? UnixSocketPath
    {
        get
        {
            _gate.Wait();
            try
            {
                return _unix.Values.FirstOrDefault()?.Path;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>The HTTP listeners running now, with their bound ports.</summary>
    public IReadOnlyList<(ControlSocketConfig Config, int Port)> HttpListeners
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _http.Values.Select(l => (l.Config, l.BoundPort))];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>The port of the (first) dedicated HA listener while it runs (see <see cref="ApplyDedicatedAsync"/>), else null.</summary>
    public int? DedicatedListenerPort => DedicatedListenerPorts is [var first, ..] ? first : null;

    /// <summary>The ports of the dedicated HA listeners running now (one per relationship that has one).</summary>
    public IReadOnlyList<int> DedicatedListenerPorts
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _dedicated.Select(l => l.BoundPort)];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>
    /// Runs the listeners a hook library asks for beside the control sockets (the dedicated HA listeners, one per
    /// relationship), or none. Same rules as the control sockets: an unchanged endpoint keeps running with the new
    /// settings, a changed one is replaced (the old one drains without being awaited). They serve commands only, no
    /// metrics.
    /// </summary>
    public async Task ApplyDedicatedAsync(IReadOnlyList<ControlSocketConfig> listeners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = listeners.Select(l => l.EndpointKey).ToHashSet(StringComparer.Ordinal);
            foreach (var running in _dedicated.Where(d => !wanted.Contains(d.Config.EndpointKey)).ToList())
            {
                _stopping.Add(running.StopAsync(HttpDrain));
                _dedicated.Remove(running);
            }

            foreach (var listener in listeners)
            {
                if (_dedicated.Find(d => d.Config.EndpointKey == listener.EndpointKey) is { } kept)
                {
                    kept.Config = listener;
                }
                else
                {
                    _dedicated.Add(await StartHttpAsync(listener, null, cancellationToken).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Opens, keeps or closes sockets to match <paramref name="sockets"/>. Throws when a new socket cannot be opened.</summary>
    public async Task ApplyAsync(IReadOnlyList<ControlSocketConfig> sockets, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = sockets.ToDictionary(s => s.EndpointKey, StringComparer.Ordinal);
            foreach (var key in _unix.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
            {
                await _unix[key].DisposeAsync().ConfigureAwait(false);
                _unix.Remove(key);
            }

            foreach (var key in _http.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
            {
                // Not awaited: the listener may be carrying the very request that removed it.
                _stopping.Add(_http[key].StopAsync(HttpDrain));
                _http.Remove(key);
            }

            foreach (var (key, config) in wanted)
            {
                if (config.Type == ControlSocketType.Unix)
                {
                    if (!_unix.ContainsKey(key))
                    {
                        var listener = new UnixCommandListener(config.SocketName, _dispatcher, _log, secureDirectory: config.InSocketDirectory);
                        listener.Start();
                        _unix[key] = listener;
                    }
                }
                else if (_http.TryGetValue(key, out var running))
                {
                    running.Config = config;
                }
                else
                {
                    _http[key] = await StartHttpAsync(config, _metrics, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<HttpCommandListener> StartHttpAsync(ControlSocketConfig config, Func<Stream, CancellationToken, Task>? metrics, CancellationToken cancellationToken)
    {
        // A listener being replaced on the same port unbinds as soon as its stop begins, but give it a moment.
        for (var attempt = 0; ; attempt++)
        {
            var listener = new HttpCommandListener(config, _dispatcher, metrics, _log, _rbac);
            try
            {
                await listener.StartAsync(cancellationToken).ConfigureAwait(false);
                return listener;
            }
            catch (IOException ex) when (attempt < 20 && IsAddressInUse(ex))
            {
                await listener.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await listener.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var listener in _unix.Values)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var listener in _http.Values)
            {
                _stopping.Add(listener.StopAsync(ShutdownDrain));
            }

            foreach (var listener in _dedicated)
            {
                _stopping.Add(listener.StopAsync(TimeSpan.FromSeconds(1)));
            }

            _dedicated.Clear();

            _unix.Clear();
            _http.Clear();
            try
            {
                await Task.WhenAll(_stopping).WaitAsync(ShutdownDrain * 2).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A listener that is still draining ends with the process.
            }

            _stopping.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }
}
