using System.Diagnostics;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// The real <c>pukeko-dhcp6</c> executable started in the lab's server namespace, with Kea's
/// directory variables pointing into a private temporary directory.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringWriterSink _output = new();

    private ServerProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public string LeaseFile => Path.Combine(Directory, "kea-leases6.csv");

    public string LogFile => Path.Combine(Directory, "kea.log");

    public string Output => _output.Text;

    /// <summary>A private server directory, removed when the test run ends; for tests that restart a server on it.</summary>
    public static string CreateDirectory() => CreatedDirectories.Create();

    /// <summary>
    /// Removes every directory <see cref="Start"/> or <see cref="CreateDirectory"/> made; called when the end-to-end
    /// collection is done (the test host ends without running ProcessExit handlers).
    /// </summary>
    public static void RemoveCreatedDirectories() => CreatedDirectories.RemoveAll();

    public int Pid => _process.Id;

    /// <summary>
    /// True once the server has exited and everything it wrote has been read: the output is read asynchronously, so
    /// without the wait a test that checks the output right after the exit could see it incomplete (or empty).
    /// </summary>
    public bool HasExited
    {
        get
        {
            if (!_process.HasExited)
            {
                return false;
            }

            // Bounded: a child the server started (a hook's script) could hold the output open.
            Task.Run(() => _process.WaitForExit()).Wait(TimeSpan.FromSeconds(10));
            return true;
        }
    }

    public int ExitCode => _process.ExitCode;

    public static string Executable
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PUKEKO_DHCP6") is { Length: > 0 } fromEnv && File.Exists(fromEnv))
            {
                return fromEnv;
            }

            // Next to the test assembly's configuration: src/Pukeko.Daemon/bin/<Configuration>/net10.0/.
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = baseDir.Parent!.Name;
            var root = baseDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "src", "Pukeko.Daemon", "bin", configuration, "net10.0", "pukeko-dhcp6");
            return File.Exists(path) ? path : throw new FileNotFoundException("pukeko-dhcp6 not built", path);
        }
    }

    /// <summary>Writes the config (with <c>{dir}</c> replaced by the private directory) and starts the server.</summary>
    /// <param name="hangupIgnored">Start the server with SIGHUP ignored, as <c>nohup</c> does.</param>
    /// <param name="environment">More variables for the server (e.g. <c>KEA_HOOKS_PATH</c>); they win over the directory ones.</param>
    public static ServerProcess Start(NetworkLab lab, string configTemplate, string? directory = null, bool waitForStart = true, bool hangupIgnored = false, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(lab.ServerNamespace, lab.ServerInterface, configTemplate, directory, waitForStart, hangupIgnored, environment);

    /// <summary>As <see cref="Start(NetworkLab, string, string?, bool, bool, IReadOnlyDictionary{string, string}?)"/>, in any namespace (several servers on one link).</summary>
    public static ServerProcess Start(string serverNamespace, string serverInterface, string configTemplate, string? directory = null, bool waitForStart = true, bool hangupIgnored = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        directory ??= CreatedDirectories.Create();
        var config = configTemplate.Replace("{dir}", directory, StringComparison.Ordinal).Replace("{iface}", serverInterface, StringComparison.Ordinal);
        var configFile = Path.Combine(directory, "kea-dhcp6.conf");
        File.WriteAllText(configFile, config);
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        string[] command = hangupIgnored
            ? ["netns", "exec", serverNamespace, "bash", "-c", "trap '' HUP; exec \"$0\" -c \"$1\"", Executable, configFile]
            : ["netns", "exec", serverNamespace, Executable, "-c", configFile];
        foreach (var arg in command)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["KEA_DHCP_DATA_DIR"] = directory;
        info.Environment["KEA_LOG_FILE_DIR"] = directory;
        info.Environment["KEA_PIDFILE_DIR"] = directory;
        info.Environment["KEA_CONTROL_SOCKET_DIR"] = directory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var server = new ServerProcess(Process.Start(info)!, directory);
        if (waitForStart && !Run.WaitFor(() => server.Output.Contains("started", StringComparison.Ordinal) || server.HasExited, TimeSpan.FromSeconds(20)))
        {
            server.Dispose();
            throw new TimeoutException("server did not start: " + server.Output);
        }

        if (waitForStart && server.HasExited)
        {
            throw new InvalidOperationException("server exited: " + server.Output);
        }

        return server;
    }

    public void Signal(string signal) => Run.Command("kill", "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGTERM, then wait; true if it exited within the time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        Signal("TERM");
        return _process.WaitForExit(timeout);
    }

    public string[] LeaseRows() => File.Exists(LeaseFile) ? File.ReadAllLines(LeaseFile) : [];

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Stop(TimeSpan.FromSeconds(5));
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private sealed class StringWriterSink
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_text)
            {
                _text.AppendLine(line);
            }
        }
    }

    /// <summary>
    /// The private directories <see cref="Start"/> made: removed when the end-to-end collection ends (a test may still
    /// read a stopped server's files, or restart on them, after disposing it).
    /// </summary>
    private static class CreatedDirectories
    {
        private static readonly List<string> Made = [];


        public static string Create()
        {
            var path = System.IO.Directory.CreateTempSubdirectory("pukeko-e2e-").FullName;
            lock (Made)
            {
                Made.Add(path);
            }

            return path;
        }

        public static void RemoveAll()
        {
            lock (Made)
            {
                foreach (var path in Made)
                {
                    try
                    {
                        System.IO.Directory.Delete(path, recursive: true);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // Best effort: a file still held open by a process that outlived the test.
                    }
                }

                Made.Clear();

                Made.Clear();
            }
        }
    }
}
