using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// The real <c>pukeko-dhcp6</c> on loopback in the test's own namespace (no lab), listening on
/// <c>-p</c> and answering to <c>-P</c>, with Kea's directory variables pointing into a private directory;
/// for tests that kill and restart it many times on the same store.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private LoopbackServer(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the server and waits (at most <paramref name="patience"/>) for <c>DHCP6_STARTED</c>.</summary>
    public static LoopbackServer Start(string configFile, string directory, ushort serverPort, ushort clientPort, TimeSpan patience)
    {
        var info = new ProcessStartInfo(ServerProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", configFile, "-p", serverPort.ToString(CultureInfo.InvariantCulture), "-P", clientPort.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var variable in new[] { "KEA_DHCP_DATA_DIR", "KEA_LOG_FILE_DIR", "KEA_PIDFILE_DIR", "KEA_CONTROL_SOCKET_DIR" })
        {
            info.Environment[variable] = directory;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new LoopbackServer(Process.Start(info)!);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (server._log)
            {
                server._log.AppendLine(e.Data);
            }

            if (e.Data.Contains("DHCP6_STARTED", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        }

        server._process.OutputDataReceived += OnLine;
        server._process.ErrorDataReceived += OnLine;
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        if (!started.Task.Wait(patience))
        {
            var log = server.Log;
            server.Dispose();
            throw new TimeoutException("the server did not start: " + log);
        }

        return server;
    }

    /// <summary>SIGKILL, and wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>One command on the Unix control socket <paramref name="socketPath"/>; the answer once it is complete JSON.</summary>
    public static async Task<JsonNode> CommandAsync(string socketPath, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Encoding.UTF8.GetBytes(command), SocketFlags.None);
        var answer = new MemoryStream();
        var buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                return JsonNode.Parse(answer.ToArray())!;
            }

            answer.Write(buffer, 0, read);
            try
            {
                return JsonNode.Parse(answer.ToArray())!;
            }
            catch (System.Text.Json.JsonException)
            {
                // not complete yet
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
