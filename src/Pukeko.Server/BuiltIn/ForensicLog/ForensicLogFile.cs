using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// The forensic log file: <c>path/base-name.CCYYMMDD.txt</c> (day, month and year units) or
/// <c>path/base-name.T&lt;20-digit Unix seconds&gt;.txt</c> (second unit), opened for appending; a new file is started
/// when <c>count</c> units have passed since the current one was started (never when <c>count</c> is 0). On opening, the
/// newest existing file of this name pattern is continued if its period has not ended, so a restart keeps appending.
/// The file is opened by <see cref="Open"/> or the first entry.
/// </summary>
/// <remarks>
/// Each entry (all its lines) is written with one unbuffered write, so it reaches the file before
/// <see cref="Write"/> returns and entries of two writers on the same file (old and new library during a
/// reconfiguration) never interleave within a line. The lock covers only the rotation check and that write; the text
/// is formatted and rotate scripts are started outside it.
/// </remarks>
internal sealed class ForensicLogFile : IForensicLogSink
{
    private readonly ForensicLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private FileStream? _stream;
    private string? _fileName;

    // Start of the current file's period: local date (day/month/year) or Unix seconds (second).
    private DateOnly _startDate;
    private long _startSeconds;
    private bool _disposed;

    public ForensicLogFile(ForensicLogOptions options, TimeProvider? time = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Full name of the file being written; null before <see cref="Open"/>.</summary>
    public string? FileName
    {
        get
        {
            lock (_gate)
            {
                return _fileName;
            }
        }
    }

    /// <summary>The file name for a period starting at <paramref name="start"/> (local time).</summary>
    public static string NameFor(ForensicLogOptions options, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tag = options.TimeUnit == ForensicTimeUnit.Second
            ? "T" + start.ToUnixTimeSeconds().ToString("D20", CultureInfo.InvariantCulture)
            : start.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return Path.Combine(options.Directory, $"{options.BaseName}.{tag}.txt");
    }

    /// <summary>Opens the file for now (continuing the newest existing one when its period has not ended); throws <see cref="IOException"/> when it cannot.</summary>
    public void Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stream is null)
            {
                OpenLocked(Now(), continueExisting: true);
            }
        }
    }

    /// <summary>The file backend: the address is not written (it is in the entry's text).</summary>
    void IForensicLogSink.Write(string text, string address, string errorId) => Write(text);

    /// <summary>
    /// Writes one entry: each line of <paramref name="text"/> gets the timestamp, then ' ' (or '-' on lines before the
    /// last when continuation lines are marked). Nothing is written for empty text. Throws <see cref="IOException"/>.
    /// </summary>

    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return;
        }

        var now = Now();
        var bytes = Encoding.UTF8.GetBytes(Render(text, Strftime.Format(_options.TimestampFormat, now, LocalZoneName.For(now)), _options.MarkContinuationLines));
        string? closed = null;
        string? opened = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stream is null)
            {
                OpenLocked(now, continueExisting: true);
            }
            else if (RotationDue(now))
            {
                closed = _fileName;
                CloseLocked();
                OpenLocked(now, continueExisting: false);
                opened = _fileName;
            }

            _stream!.Write(bytes);
        }

        if (closed is not null)
        {
            RunScript(_options.Prerotate, closed);
            RunScript(_options.Postrotate, opened!);
        }
    }

    /// <summary>The lines of an entry as written to the file.</summary>
    public static string Render(string text, string timestamp, bool markContinuationLines)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var count = lines.Length;
        if (count > 1 && lines[^1].Length == 0)
        {
            count--; // a final newline does not start another line
        }

        var output = new StringBuilder(text.Length + (count * (timestamp.Length + 2)));
        for (var i = 0; i < count; i++)
        {
            output.Append(timestamp).Append(markContinuationLines && i < count - 1 ? '-' : ' ').Append(lines[i]).Append('\n');
        }

        return output.ToString();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            CloseLocked();
        }
    }

    private DateTimeOffset Now() => _time.GetLocalNow();

    private bool RotationDue(DateTimeOffset now)
    {
        var count = _options.Count;
        if (count == 0)
        {
            return false;
        }

        return _options.TimeUnit == ForensicTimeUnit.Second
            ? now.ToUnixTimeSeconds() - _startSeconds >= count
            : PeriodEnd(_startDate) <= DateOnly.FromDateTime(now.DateTime).DayNumber;
    }

    /// <summary>Day number on which a period of <c>count</c> days, months or years starting at <paramref name="start"/> ends.</summary>
    private long PeriodEnd(DateOnly start)
    {
        long count = _options.Count;
        long yearsLeft = DateOnly.MaxValue.Year - start.Year;
        return _options.TimeUnit switch
        {
            ForensicTimeUnit.Day => start.DayNumber + count,
            ForensicTimeUnit.Month => count < yearsLeft * 12 ? start.AddMonths((int)count).DayNumber : long.MaxValue,
            _ => count < yearsLeft ? start.AddYears((int)count).DayNumber : long.MaxValue,
        };
    }

    private void OpenLocked(DateTimeOffset now, bool continueExisting)
    {
        var name = NameFor(_options, now);
        _startDate = DateOnly.FromDateTime(now.DateTime);
        _startSeconds = now.ToUnixTimeSeconds();
        if (continueExisting && NewestUnfinished(now) is { } existing)
        {
            (name, _startDate, _startSeconds) = existing;
        }

        _stream = new FileStream(name, Hosting.RestrictedFile.Options(FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
        _fileName = name;
        _log.LogInformation(new EventId(0, "LEGAL_LOG_STORE_OPENED"), "Legal store opened: {File}", name);
    }

    private void CloseLocked()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>The newest file of this base name whose period (started at the date or second in its name) has not ended.</summary>
    private (string Name, DateOnly Date, long Seconds)? NewestUnfinished(DateTimeOffset now)
    {
        if (!Directory.Exists(_options.Directory))
        {
            return null;
        }

        var second = _options.TimeUnit == ForensicTimeUnit.Second;
        var prefix = _options.BaseName + ".";
        string? newest = null;
        foreach (var path in Directory.EnumerateFiles(_options.Directory, prefix + "*.txt"))
        {
            var file = Path.GetFileName(path);
            var tag = file[prefix.Length..^4];
            var valid = second
                ? tag.Length == 21 && tag[0] == 'T' && tag.AsSpan(1).ContainsAnyExceptInRange('0', '9') is false
                : tag.Length == 8 && tag.AsSpan().ContainsAnyExceptInRange('0', '9') is false;
            if (valid && (newest is null || string.CompareOrdinal(tag, newest) > 0))
            {
                newest = tag;
            }
        }

        if (newest is null)
        {
            return null;
        }

        var name = Path.Combine(_options.Directory, $"{prefix}{newest}.txt");
        var count = _options.Count;
        if (second)
        {
            if (!long.TryParse(newest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var started))
            {
                return null;
            }

            return now.ToUnixTimeSeconds() < started + count ? (name, DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(started).ToLocalTime().DateTime), started) : null;
        }

        if (!DateOnly.TryParseExact(newest, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return null;
        }

        return DateOnly.FromDateTime(now.DateTime).DayNumber < PeriodEnd(date) ? (name, date, _startSeconds) : null;
    }

    private void RunScript(string? script, string file)
    {
        if (string.IsNullOrEmpty(script))
        {
            return;
        }

        try
        {
            var start = new ProcessStartInfo(script) { UseShellExecute = false };
            start.ArgumentList.Add(file);

            // Not waited for (Kea's ASYNC spawn); the runtime reaps the child when it exits.
            using var process = Process.Start(start);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            _log.LogError(new EventId(0, "LEGAL_LOG_ROTATE_SCRIPT_ERROR"), "could not run {Script} {File}: {Reason}", script, file, ex.Message);
        }
    }
}
