using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Control.Channels;

/// <summary>
/// Kea's UNIX control socket: a stream socket, one command per connection. Bytes are fed to a
/// <see cref="JsonFeed"/> until one complete JSON object has arrived, the answer is written and the connection
/// closed. A client that does not complete its command within <see cref="Timeout"/> (Kea: 10 s, not
/// configurable) gets Kea's timeout answer. The socket is mode 0770 in a 0750 directory (Kea 3.x).
/// </summary>
internal sealed class UnixCommandListener : IAsyncDisposable
{
    public const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;

    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly CommandDispatcher _dispatcher;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _gate = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _disposed;

    /// <param name="path">Absolute socket path.</param>
    /// <param name="dispatcher">Runs the commands.</param>
    /// <param name="log">Connection problems go here.</param>
    /// <param name="timeout">How long a client may take to send its command.</param>
    /// <param name="secureDirectory">
    /// True when the socket's directory is the control socket directory, which is created if missing and restricted to
    /// mode 0750; false for a socket accepted elsewhere (Kea 2.x form, <c>-X</c>), whose directory (perhaps
    /// <c>/tmp</c>) is used as it is.
    /// </param>
    public UnixCommandListener(string path, CommandDispatcher dispatcher, ILogger log, TimeSpan? timeout = null, bool secureDirectory = true)
    {
        Path = path;
        SecureDirectory = secureDirectory;
        _dispatcher = dispatcher;
        _log = log;
        Timeout = timeout ?? DefaultTimeout;
    }

    public string Path { get; }

    public TimeSpan Timeout { get; }

    public bool SecureDirectory { get; }

    /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/>/<see cref="IOException"/> when the socket cannot be created.</summary>
    public void Start()
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("UNIX control sockets need a UNIX-like system.");
        }

        if (SecureDirectory)
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, DirectoryMode);
            }

            // Kea 3.x keeps control sockets in a directory only the server's user and group can enter.
            File.SetUnixFileMode(directory, DirectoryMode);
        }

        if (File.Exists(Path))
        {
            // A socket file left by a previous run; nothing can be listening on it once we hold the config.
            File.Delete(Path);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(Path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, SocketMode);
            }
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _log.LogInformation(new EventId(0, "COMMAND_ACCEPTOR_START"), "Starting to accept connections via unix domain socket bound to {Path}", Path);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (token.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                _log.LogError(new EventId(0, "COMMAND_ACCEPTOR_FAIL"), "Failed to accept a connection on {Path}: {Reason}", Path, ex.Message);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var task = HandleAsync(client);
            lock (_gate)
            {
                _connections.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_gate)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using (client)
        {
            _log.LogDebug(new EventId(0, "COMMAND_SOCKET_CONNECTION_OPENED"), "Opened socket for incoming command on {Path}", Path);
            string answer;
            try
            {
                answer = await ReadAndExecuteAsync(client).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            try
            {
                var bytes = Encoding.UTF8.GetBytes(answer);
                var sent = 0;
                while (sent < bytes.Length)
                {
                    sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
                }

                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException ex)
            {
                _log.LogDebug(new EventId(0, "COMMAND_SOCKET_WRITE_FAIL"), "Error while writing to command socket: {Reason}", ex.Message);
            }
        }
    }

    private async Task<string> ReadAndExecuteAsync(Socket client)
    {
        var feed = new JsonFeed();
        var buffer = new byte[65536];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(Timeout);
        while (!feed.IsComplete && feed.Error is null)
        {
            int read;
            try
            {
                read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                _log.LogInformation(new EventId(0, "COMMAND_SOCKET_READ_TIMEOUT"), "Timeout while reading a command from {Path}", Path);
                return CommandJson.Serialize(ControlAnswer.Error("Connection over control channel timed out"));
            }

            if (read == 0)
            {
                if (feed.Message.IsEmpty)
                {
                    throw new OperationCanceledException("connection closed without a command");
                }

                // The client closed its side before completing a map: answer what the parser makes of it.
                break;
            }

            feed.Feed(buffer.AsSpan(0, read));
        }

        if (feed.Error is { } error)
        {
            return CommandJson.Serialize(ControlAnswer.Error($"invalid command: {error}"));
        }

        // Not cancelled by closing the listener: a config-set that moves the socket must still answer on it.
        var answer = await _dispatcher.ExecuteAsync(feed.Message.ToArray(), CancellationToken.None).ConfigureAwait(false);
        return CommandJson.Serialize(answer);
    }

    /// <summary>Stops accepting and removes the socket file; commands already being processed finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancel before closing: an accept that fails because the socket closed under it must see the
        // stop, not log an error and back off (that cost 100 ms and an ERROR line at every shutdown).
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(new EventId(0, "COMMAND_SOCKET_REMOVE_FAIL"), "Failed to remove the control socket {Path}: {Reason}", Path, ex.Message);
        }

        _log.LogInformation(new EventId(0, "COMMAND_ACCEPTOR_STOP"), "Stopped accepting connections via unix domain socket bound to {Path}", Path);
        _stop.Dispose();
    }
}
