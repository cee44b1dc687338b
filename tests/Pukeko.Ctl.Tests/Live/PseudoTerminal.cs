using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Pukeko.Ctl.Tests.Live;

/// <summary>
/// A command run under a pseudo-terminal by util-linux <c>script</c>: what the program draws is read from
/// script's output, and keys written to script's input reach the program as typed on a terminal.
/// </summary>
internal sealed partial class PseudoTerminal : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;

    /// <param name="command">A shell command line; it runs after the terminal is set to <paramref name="columns"/> x <paramref name="rows"/>.</param>
    public PseudoTerminal(string command, int columns = 140, int rows = 50)
    {
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };

        // -q quiet, -f flush at once, -e exit with the program's status; the log goes nowhere.
        foreach (var arg in new[] { "-qfec", $"stty cols {columns} rows {rows}; exec {command}", "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "xterm-256color";
        _process = Process.Start(info)!;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Everything drawn so far, escape sequences included.</summary>
    public string Raw
    {
        get
        {
            lock (_screen)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>The text drawn from <paramref name="offset"/> on (in <see cref="Raw"/>), without escape sequences, one line per row drawn.</summary>
    public string[] Lines(int offset = 0) =>
        EscapeSequence().Replace(Raw[offset..], "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits (bounded) until a line drawn after <paramref name="offset"/> matches <paramref name="pattern"/>.</summary>
    public string WaitForLine([StringSyntax(StringSyntaxAttribute.Regex)] string pattern, TimeSpan timeout, int offset = 0)
    {
        var regex = new Regex(pattern);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Lines(offset).FirstOrDefault(regex.IsMatch) is { } line)
            {
                return line;
            }

            if (_process.HasExited && _reader.IsCompleted)
            {
                break;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"no line matching /{pattern}/ in {timeout.TotalSeconds} s; screen:\n{string.Join('\n', Lines(offset).TakeLast(40))}");
    }

    /// <summary>Types <paramref name="keys"/>.</summary>
    public void Type(string keys)
    {
        _process.StandardInput.Write(keys);
        _process.StandardInput.Flush();
    }

    /// <summary>The program's exit status, or null if it did not exit in time.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return null;
        }

        _reader.Wait(timeout);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_screen)
            {
                _screen.Append(buffer, 0, read);
            }
        }
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>])")]
    private static partial Regex EscapeSequence();
}
