using System.Text;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Applies Kea's extensions to JSON before parsing: <c>#</c>, <c>//</c> and <c>/* */</c> comments outside strings,
/// <c>&lt;?include "file"?&gt;</c> directives (relative to the including file's directory, nestable), and numbers
/// with a bare decimal point (<c>.5</c>, <c>-.5</c>, <c>5.</c>), which Kea's lexers read as floats and JSON does not:
/// the missing zero is written in. Comments are blanked with spaces (newlines kept) so positions inside each file
/// stay unchanged; the source map skips an inserted zero.
/// </summary>
internal sealed class ConfigPreprocessor
{
    private const string IncludeStart = "<?include";

    private readonly StringBuilder _output = new();
    private readonly SourceMap _map = new();
    private readonly Stack<string> _includeStack = new();

    public SourceMap Map => _map;

    public static (string Text, SourceMap Map) ProcessFile(string path)
    {
        var full = Path.GetFullPath(path);
        var preprocessor = new ConfigPreprocessor();
        preprocessor.AppendFile(full, location: full);
        return (preprocessor._output.ToString(), preprocessor._map);
    }

    public static (string Text, SourceMap Map) ProcessText(string text, string label, string baseDirectory)
    {
        var preprocessor = new ConfigPreprocessor();
        preprocessor.Append(text, label, Path.GetFullPath(baseDirectory));
        return (preprocessor._output.ToString(), preprocessor._map);
    }

    private void AppendFile(string fullPath, string location)
    {
        if (_includeStack.Contains(fullPath))
        {
            var chain = string.Join(" -> ", _includeStack.Reverse().Append(fullPath));
            throw new ConfigPreprocessException(location, $"include loop: {chain}");
        }

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ConfigPreprocessException(location, $"cannot read configuration file '{fullPath}': {ex.Message}");
        }

        _includeStack.Push(fullPath);
        Append(text, fullPath, Path.GetDirectoryName(fullPath) ?? "/");
        _includeStack.Pop();
    }

    private void Append(string text, string file, string directory)
    {
        var segmentStart = 0;        // file offset where the current 1:1 segment began
        var segmentOutput = _output.Length;
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch == '"')
            {
                i = CopyString(text, i);
                continue;
            }

            if (ch == '#' || (ch == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    _output.Append(text[i] == '\r' ? '\r' : ' ');
                    i++;
                }

                continue;
            }

            if (ch == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new ConfigPreprocessException(Where(file, text, i), "unterminated /* comment");
                }

                for (; i < end + 2; i++)
                {
                    _output.Append(text[i] is '\n' or '\r' ? text[i] : ' ');
                }

                continue;
            }

            if (ch == '<' && string.CompareOrdinal(text, i, IncludeStart, 0, IncludeStart.Length) == 0)
            {
                var (includePath, next) = ReadInclude(text, i, file);
                _map.Add(segmentOutput, _output.Length - segmentOutput, file, text, segmentStart);
                string target;
                try
                {
                    target = Path.GetFullPath(Path.Combine(directory, includePath));
                }
                catch (ArgumentException ex)
                {
                    // A path no file can have (a NUL character): found by fuzzing, it escaped the loader, which
                    // promises to report every problem as a configuration error.
                    throw new ConfigPreprocessException(Where(file, text, i), $"invalid include path: {ex.Message}");
                }

                AppendFile(target, Where(file, text, i));
                i = next;
                segmentStart = i;
                segmentOutput = _output.Length;
                continue;
            }

            // Outside strings and comments a '.' can only be part of a number.
            if (ch == '.' && IsDigitAt(text, i + 1) && !IsDigitAt(text, i - 1))
            {
                InsertZero(file, text, i, ref segmentStart, ref segmentOutput);
            }

            _output.Append(ch);
            i++;
            if (ch == '.' && IsDigitAt(text, i - 2) && !IsDigitAt(text, i))
            {
                InsertZero(file, text, i, ref segmentStart, ref segmentOutput);
            }
        }

        _map.Add(segmentOutput, _output.Length - segmentOutput, file, text, segmentStart);
    }

    private static bool IsDigitAt(string text, int index) => index >= 0 && index < text.Length && char.IsAsciiDigit(text[index]);

    /// <summary>Writes a '0' that is not in the file: the current 1:1 segment ends before it and a new one starts after.</summary>
    private void InsertZero(string file, string text, int fileOffset, ref int segmentStart, ref int segmentOutput)
    {
        _map.Add(segmentOutput, _output.Length - segmentOutput, file, text, segmentStart);
        _output.Append('0');
        segmentStart = fileOffset;
        segmentOutput = _output.Length;
    }

    /// <summary>Copies a JSON string literal verbatim (comment markers inside strings are data).</summary>
    private int CopyString(string text, int start)
    {
        _output.Append('"');
        var i = start + 1;
        while (i < text.Length)
        {
            var ch = text[i];
            _output.Append(ch);
            i++;
            if (ch == '\\' && i < text.Length)
            {
                _output.Append(text[i]);
                i++;
            }
            else if (ch == '"')
            {
                return i;
            }
            else if (ch == '\n')
            {
                // Leave the error to the JSON parser, which reports it at this position.
                return i;
            }
        }

        return i;
    }

    /// <summary>Parses <c>&lt;?include "path"?&gt;</c> at <paramref name="start"/>; returns the path and the offset after it.</summary>
    private static (string Path, int Next) ReadInclude(string text, int start, string file)
    {
        var i = start + IncludeStart.Length;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        if (i >= text.Length || text[i] != '"')
        {
            throw new ConfigPreprocessException(Where(file, text, start), "malformed include: expected <?include \"file\"?>");
        }

        var close = text.IndexOf('"', i + 1);
        var newline = text.IndexOf('\n', i + 1);
        if (close < 0 || (newline >= 0 && newline < close) || close == i + 1)
        {
            throw new ConfigPreprocessException(Where(file, text, start), "malformed include: expected <?include \"file\"?>");
        }

        var path = text[(i + 1)..close];
        var j = close + 1;
        while (j < text.Length && text[j] is ' ' or '\t')
        {
            j++;
        }

        if (j + 1 >= text.Length || text[j] != '?' || text[j + 1] != '>')
        {
            throw new ConfigPreprocessException(Where(file, text, start), "malformed include: missing '?>'");
        }

        return (path, j + 2);
    }

    private static string Where(string file, string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < offset && k < text.Length; k++)
        {
            if (text[k] == '\n')
            {
                line++;
                lineStart = k + 1;
            }
        }

        return $"{file}:{line}:{offset - lineStart + 1}";
    }
}
