namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// The lines of a lease file as spans of its UTF-8 bytes, read through one reused buffer: the loader parses each
/// row where it lies instead of decoding it into a string first. Lines end as <see cref="StreamReader.ReadLine"/>
/// ends them (LF, CR or CR LF, terminator not included), and a UTF-8 byte order mark at the start is skipped.
/// </summary>
internal sealed class LeaseFileLineReader(Stream stream)
{
    private const int InitialBuffer = 1 << 20;

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private bool _atEnd;
    private bool _started;

    // A CR ended the last line: an LF first in the next read belongs to it.
    private bool _afterCarriageReturn;

    /// <summary>The next line; false at the end of the stream. The span is valid until the next call.</summary>
    public bool TryRead(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            if (_afterCarriageReturn && !pending.IsEmpty)
            {
                _afterCarriageReturn = false;
                if (pending[0] == '\n')
                {
                    _start++;
                    continue;
                }
            }

            var terminator = pending.IndexOfAny((byte)'\n', (byte)'\r');
            if (terminator >= 0)
            {
                line = pending[..terminator];
                _afterCarriageReturn = pending[terminator] == '\r';
                _start += terminator + 1;
                return true;
            }

            if (_atEnd)
            {
                line = pending;
                _start = _end;
                return !line.IsEmpty;
            }

            Fill();
        }
    }

    // Moves the unread bytes to the front (growing the buffer when a line fills it) and reads more after them.
    private void Fill()
    {
        var unread = _end - _start;
        if (unread == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        }

        _start = 0;
        _end = unread;
        int read;
        do
        {
            read = stream.Read(_buffer, _end, _buffer.Length - _end);
            _end += read;
        }
        while (!_started && read > 0 && _end < ByteOrderMark.Length);

        _atEnd = read == 0;
        if (!_started)
        {
            _started = true;
            if (_buffer.AsSpan(0, _end).StartsWith(ByteOrderMark))
            {
                _start = ByteOrderMark.Length;
            }
        }
    }
}
