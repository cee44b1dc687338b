using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Pukeko.Server.Logging;

/// <summary>
/// A log destination shared by every configured output that names it. One instance per
/// destination lives for the provider's lifetime (a registry keyed by destination), so all
/// writes to one file go through one lock and one position, even across reconfigurations.
/// A sink that a new configuration no longer uses is deactivated (flushed and closed); a
/// late write from a thread that still holds the old configuration is written anyway.
/// </summary>
internal abstract class KeaSink : IDisposable
{
    protected readonly object Gate = new();

    public abstract string Key { get; }

    /// <summary>Writes one formatted entry atomically with respect to other writers.</summary>
    public abstract void Write(KeaSeverity severity, string text);

    /// <summary>Opens resources for use by a new configuration; throws if that is impossible.</summary>
    public virtual void Activate() { }

    /// <summary>Applies per-destination settings of a new configuration.</summary>
    public virtual void Configure(bool flush, long maxSize, int maxVer) { }

    /// <summary>Releases resources when the destination drops out of the configuration.</summary>
    public virtual void Deactivate() => Flush();

    public virtual void Flush() { }

    public void Dispose() => Deactivate();
}

internal sealed class ConsoleSink(string key, TextWriter writer) : KeaSink
{
    private bool _flush = true;

    public override string Key { get; } = key;

    public override void Configure(bool flush, long maxSize, int maxVer) => Volatile.Write(ref _flush, flush);

    public override void Write(KeaSeverity severity, string text)
    {
        lock (Gate)
        {
            writer.Write(text);
            if (_flush)
            {
                writer.Flush();
            }
        }
    }

    public override void Flush()
    {
        lock (Gate)
        {
            writer.Flush();
        }
    }
}

internal sealed class FileSink : KeaSink
{
    private const int BufferedSize = 64 * 1024;

    private readonly string _path;
    private readonly long _minimumRotation;
    private FileStream? _stream;
    private bool _flush = true;
    private long _maxSize = KeaOutputSpec.DefaultMaxSize;
    private int _maxVer = KeaOutputSpec.DefaultMaxVer;

    public FileSink(string path, long minimumRotation)
    {
        _path = path;
        _minimumRotation = minimumRotation;
        Key = "file:" + path;
    }

    public override string Key { get; }

    public string Path => _path;

    private FileStream Open(bool buffered) =>
        new(_path, Hosting.RestrictedFile.Options(FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, buffered ? BufferedSize : 0));

    public override void Activate()
    {
        lock (Gate)
        {
            _stream ??= Open(!_flush);
        }
    }

    public override void Configure(bool flush, long maxSize, int maxVer)
    {
        lock (Gate)
        {
            bool reopen = _stream is not null && flush != _flush;
            _flush = flush;
            _maxSize = maxSize;
            _maxVer = Math.Max(1, maxVer);
            if (reopen)
            {
                _stream!.Flush();
                _stream.Dispose();
                _stream = Open(!_flush);
            }
        }
    }

    public override void Write(KeaSeverity severity, string text)
    {
        int count = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            int n = Encoding.UTF8.GetBytes(text, buffer);
            lock (Gate)
            {
                if (_stream is null)
                {
                    // Deactivated by a reconfiguration while this thread still held the old
                    // rule set: do not lose the line.
                    using FileStream once = Open(buffered: false);
                    once.Write(buffer, 0, n);
                    return;
                }
                _stream.Write(buffer, 0, n);
                if (_flush)
                {
                    _stream.Flush();
                }
                if (_maxSize > 0 && _stream.Position > Math.Max(_maxSize, _minimumRotation))
                {
                    Rotate();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // file -> file.1 -> ... -> file.maxver (the oldest is dropped), then a fresh file.
    private void Rotate()
    {
        _stream!.Flush();
        _stream.Dispose();
        _stream = null;
        try
        {
            for (int v = _maxVer - 1; v >= 1; v--)
            {
                string from = _path + "." + v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (File.Exists(from))
                {
                    File.Move(from, _path + "." + (v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), overwrite: true);
                }
            }
            File.Move(_path, _path + ".1", overwrite: true);
        }
        catch (IOException)
        {
            // Rotation is best effort; keep logging to the current file.
        }
        catch (UnauthorizedAccessException)
        {
        }
        _stream = Open(!_flush);
    }

    public override void Flush()
    {
        lock (Gate)
        {
            _stream?.Flush();
        }
    }

    public override void Deactivate()
    {
        lock (Gate)
        {
            if (_stream is not null)
            {
                _stream.Flush();
                _stream.Dispose();
                _stream = null;
            }
        }
    }
}

/// <summary>
/// Local syslog over the Unix datagram socket (<c>/dev/log</c>), RFC 3164 framing without
/// time stamp: <c>&lt;PRI&gt;ident[pid]: text</c>. If the socket is missing the sink warns once
/// on stderr and drops messages.
/// </summary>
internal sealed class SyslogSink : KeaSink
{
    private static readonly Dictionary<string, int> s_facilities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kern"] = 0, ["user"] = 1, ["mail"] = 2, ["daemon"] = 3, ["auth"] = 4, ["syslog"] = 5,
        ["lpr"] = 6, ["news"] = 7, ["uucp"] = 8, ["cron"] = 9, ["authpriv"] = 10, ["ftp"] = 11,
        ["local0"] = 16, ["local1"] = 17, ["local2"] = 18, ["local3"] = 19,
        ["local4"] = 20, ["local5"] = 21, ["local6"] = 22, ["local7"] = 23,
    };

    private readonly string _socketPath;
    private readonly string _ident;
    private readonly int _pid;
    private readonly int _facility;
    private readonly Action<string> _warn;
    private Socket? _socket;
    private bool _warned;

    public SyslogSink(string facility, string socketPath, string ident, int pid, Action<string> warn)
    {
        _facility = s_facilities.TryGetValue(facility, out int f) ? f : 16;
        _socketPath = socketPath;
        _ident = ident;
        _pid = pid;
        _warn = warn;
        Key = "syslog:" + facility.ToLowerInvariant();
    }

    public override string Key { get; }

    public static bool IsKnownFacility(string facility) => s_facilities.ContainsKey(facility);

    public override void Activate()
    {
        lock (Gate)
        {
            _socket ??= TryConnect();
        }
    }

    private Socket? TryConnect()
    {
        if (!File.Exists(_socketPath))
        {
            WarnOnce($"syslog socket {_socketPath} does not exist; syslog output is disabled");
            return null;
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            WarnOnce($"cannot connect to syslog socket {_socketPath}: {ex.Message}; syslog output is disabled");
            return null;
        }
    }

    private void WarnOnce(string text)
    {
        if (!_warned)
        {
            _warned = true;
            _warn(text);
        }
    }

    private static int SyslogSeverity(KeaSeverity severity) => severity switch
    {
        KeaSeverity.Fatal => 2,
        KeaSeverity.Error => 3,
        KeaSeverity.Warn => 4,
        KeaSeverity.Info => 6,
        _ => 7,
    };

    public override void Write(KeaSeverity severity, string text)
    {
        string body = text.TrimEnd('\n', '\r');
        string datagram = $"<{(_facility * 8) + SyslogSeverity(severity)}>{_ident}[{_pid}]: {body}";
        byte[] bytes = Encoding.UTF8.GetBytes(datagram);
        lock (Gate)
        {
            Socket? socket = _socket;
            bool transient = false;
            if (socket is null)
            {
                if (_warned)
                {
                    return;
                }
                socket = TryConnect();
                transient = true;
                if (socket is null)
                {
                    return;
                }
            }
            try
            {
                socket.Send(bytes);
            }
            catch (SocketException)
            {
                // The syslog daemon restarted or is congested: drop the message.
            }
            finally
            {
                if (transient)
                {
                    socket.Dispose();
                }
            }
        }
    }

    public override void Deactivate()
    {
        lock (Gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
