namespace Pukeko.Server.Control;

/// <summary>
/// Kea's streaming framing for the UNIX socket: bytes are fed as they arrive until they hold one complete JSON
/// object (braces balanced outside strings and comments). Structural characters are ASCII and never occur inside
/// a UTF-8 multi-byte sequence, so scanning bytes is exact.
/// </summary>
internal sealed class JsonFeed(int maxBytes = JsonFeed.DefaultMaxBytes)
{
    /// <summary>Large enough for a <c>config-set</c> with thousands of subnets.</summary>
    public const int DefaultMaxBytes = 64 * 1024 * 1024;

    private readonly List<byte> _buffer = [];
    private JsonScanState _state = JsonScanState.Normal;
    private int _depth;
    private bool _started;
    private bool _escape;
    private byte _previous;

    public bool IsComplete { get; private set; }

    /// <summary>Set when the input cannot be a JSON object (first significant character is not <c>{</c>, or too long).</summary>
    public string? Error { get; private set; }

    /// <summary>Bytes of the complete object, including any leading comments and whitespace.</summary>
    public ReadOnlySpan<byte> Message => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_buffer);

    /// <summary>Consumes bytes; returns how many were used (stops right after the object's closing brace).</summary>
    public int Feed(ReadOnlySpan<byte> data)
    {
        var used = 0;
        foreach (var b in data)
        {
            if (IsComplete || Error is not null)
            {
                break;
            }

            used++;
            _buffer.Add(b);
            if (_buffer.Count > maxBytes)
            {
                Error = $"command too long (more than {maxBytes} bytes)";
                break;
            }

            Step(b);
        }

        return used;
    }

    private void Step(byte b)
    {
        switch (_state)
        {
            case JsonScanState.String:
                if (_escape)
                {
                    _escape = false;
                }
                else if (b == (byte)'\\')
                {
                    _escape = true;
                }
                else if (b == (byte)'"')
                {
                    _state = JsonScanState.Normal;
                }

                break;
            case JsonScanState.LineComment:
                if (b == (byte)'\n')
                {
                    _state = JsonScanState.Normal;
                }

                break;
            case JsonScanState.BlockComment:
                if (b == (byte)'/' && _previous == (byte)'*')
                {
                    _state = JsonScanState.Normal;
                    b = 0; // "*/*" must not reopen a comment
                }

                break;
            default:
                StepNormal(b);
                break;
        }

        _previous = b;
    }

    private void StepNormal(byte b)
    {
        if (_previous == (byte)'/' && (b == (byte)'/' || b == (byte)'*'))
        {
            _state = b == (byte)'/' ? JsonScanState.LineComment : JsonScanState.BlockComment;
            return;
        }

        switch (b)
        {
            case (byte)'#':
                _state = JsonScanState.LineComment;
                return;
            case (byte)'/':
                return;
            case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                return;
        }

        if (!_started)
        {
            if (b != (byte)'{')
            {
                Error = "invalid first character " + (b >= 0x20 && b < 0x7f ? $"'{(char)b}'" : $"0x{b:x2}") + ", expected '{'";
                return;
            }

            _started = true;
        }

        switch (b)
        {
            case (byte)'"':
                _state = JsonScanState.String;
                break;
            case (byte)'{' or (byte)'[':
                _depth++;
                break;
            case (byte)'}' or (byte)']':
                _depth--;
                if (_depth == 0)
                {
                    IsComplete = true;
                }

                break;
        }
    }
}
