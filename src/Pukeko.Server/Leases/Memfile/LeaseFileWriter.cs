using System.Text;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Appends CSV rows to a lease file. The live file is unbuffered: each row is a single write() handed
/// straight to the OS, so it survives a process crash the moment <see cref="Append"/> returns (no fsync
/// per row; an OS crash can still lose the tail, as with Kea). Not thread-safe; callers serialise.
/// </summary>
internal sealed class LeaseFileWriter : IDisposable
{
    // Kea 3 creates lease files readable by owner and group only.
    private const UnixFileMode CreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly FileStream _stream;
    private byte[] _buffer = new byte[512];

    private readonly bool _flushEachRow;

    private LeaseFileWriter(FileStream stream, string path, bool flushEachRow)
    {
        _stream = stream;
        Path = path;
        _flushEachRow = flushEachRow;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating with mode 0640 if needed) a lease file for appending. A new or empty file gets the
    /// header; a file whose last row was cut short by a crash gets a line break so the next row stays intact.
    /// </summary>
    public static LeaseFileWriter OpenForAppend(string path)
    {
        var stream = new FileStream(path, CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, bufferSize: 0));
        try
        {
            var writer = new LeaseFileWriter(stream, path, flushEachRow: true);
            if (stream.Length == 0)
            {
                writer.WriteLine(LeaseCsvSchema.HeaderLine);
            }
            else
            {
                stream.Seek(-1, SeekOrigin.End);
                var last = stream.ReadByte();
                stream.Seek(0, SeekOrigin.End);
                if (last != '\n')
                {
                    stream.Write("\n"u8);
                }
            }

            return writer;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates (or truncates) a lease file holding only the header, for bulk writing (LFC output): rows are
    /// buffered and reach the OS on <see cref="FlushToDisk"/> or disposal.
    /// </summary>
    public static LeaseFileWriter CreateBuffered(string path)
    {
        var stream = new FileStream(path, CreateOptions(FileMode.Create, FileAccess.Write, bufferSize: 1 << 16));
        try
        {
            var writer = new LeaseFileWriter(stream, path, flushEachRow: false);
            writer.WriteLine(LeaseCsvSchema.HeaderLine);
            return writer;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates (or truncates) <paramref name="path"/> with the header and one row per lease, in address order (the
    /// output is deterministic and easy to diff), and forces it to stable storage.
    /// </summary>
    /// <exception cref="ArgumentException">A lease Kea would not write (see <see cref="LeaseCsvFormatter.AppendRow"/>).</exception>
    public static void WriteFile(string path, IEnumerable<Lease6> leases)
    {
        var ordered = leases.ToArray();
        Array.Sort(ordered, static (a, b) => a.Address.CompareTo(b.Address));
        using var writer = CreateBuffered(path);
        var row = new StringBuilder(256);
        foreach (var lease in ordered)
        {
            row.Clear();
            LeaseCsvFormatter.AppendRow(row, lease);
            writer.Append(row);
        }

        writer.FlushToDisk();
    }

    /// <summary>Writes the row plus '\n' in one write and hands it to the OS.</summary>
    public void Append(StringBuilder row)
    {
        var length = row.Length;
        if (_buffer.Length < length + 1)
        {
            _buffer = new byte[Math.Max(length + 1, _buffer.Length * 2)];
        }

        // Rows are pure ASCII (free text is escaped), so each char is one byte.
        var index = 0;
        foreach (var chunk in row.GetChunks())
        {
            foreach (var c in chunk.Span)
            {
                _buffer[index++] = (byte)c;
            }
        }

        _buffer[index++] = (byte)'\n';
        _stream.Write(_buffer, 0, index);
        if (_flushEachRow)
        {
            _stream.Flush();
        }
    }

    /// <summary>Writes complete rows (each ending in '\n') in one write and hands them to the OS.</summary>
    public void AppendRows(ReadOnlySpan<byte> rows)
    {
        _stream.Write(rows);
        if (_flushEachRow)
        {
            _stream.Flush();
        }
    }

    /// <summary>Forces the file to stable storage (used once per LFC output, not per row).</summary>
    public void FlushToDisk() => _stream.Flush(flushToDisk: true);

    public void Dispose() => _stream.Dispose();

    private void WriteLine(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text + "\n");
        _stream.Write(bytes);
        _stream.Flush();
    }

    private static FileStreamOptions CreateOptions(FileMode mode, FileAccess access, int bufferSize)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = access,
            Share = FileShare.Read | FileShare.Delete,

            // 0 = no FileStream buffer: every Append of the live file is one write() system call.
            BufferSize = bufferSize,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = CreateMode;
        }

        return options;
    }
}
