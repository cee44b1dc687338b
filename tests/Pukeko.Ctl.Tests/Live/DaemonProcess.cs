using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Pukeko.Ctl.Tests.Live;

/// <summary>
/// A real <c>pukeko-dhcp6</c> on no interface with a UNIX control socket, in a private temporary directory
/// (Kea's directory variables point there, so it shares nothing with other servers on the machine).
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public string Socket => Path.Combine(Directory, "ctrl");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Next to this test's build: src/Pukeko.Daemon/bin/&lt;Configuration&gt;/net10.0/ (or $PUKEKO_DHCP6).</summary>
    public static string Executable
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PUKEKO_DHCP6") is { Length: > 0 } fromEnv && File.Exists(fromEnv))
            {
                return fromEnv;
            }

            var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = baseDir.Parent!.Name;
            var root = baseDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "src", "Pukeko.Daemon", "bin", configuration, "net10.0", "pukeko-dhcp6");
            return File.Exists(path) ? path : throw new FileNotFoundException("pukeko-dhcp6 not built", path);
        }
    }

    /// <summary>Starts the server with <paramref name="subnets"/> (a JSON list for <c>subnet6</c>) and waits until its socket answers.</summary>
    public static DaemonProcess Start(string subnets)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("pukeko-ctl-top-").FullName;
        var config = $$"""
            {
              "Dhcp6": {
                "interfaces-config": { "interfaces": [] },
                "control-socket": { "socket-type": "unix", "socket-name": "ctrl" },
                "lease-database": { "type": "memfile", "persist": false },
                "subnet6": {{subnets}}
              }
            }
            """;
        var configFile = Path.Combine(directory, "kea-dhcp6.conf");
        File.WriteAllText(configFile, config);
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(configFile);
        foreach (var variable in new[] { "KEA_DHCP_DATA_DIR", "KEA_LOG_FILE_DIR", "KEA_PIDFILE_DIR", "KEA_CONTROL_SOCKET_DIR" })
        {
            info.Environment[variable] = directory;
        }

        var daemon = new DaemonProcess(Process.Start(info)!, directory);
        var watch = Stopwatch.StartNew();
        while (!daemon.Output.Contains("DHCP6_STARTED", StringComparison.Ordinal) || !File.Exists(daemon.Socket))
        {
            if (daemon._process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                var output = daemon.Output;
                daemon.Dispose();
                throw new InvalidOperationException("pukeko-dhcp6 did not start: " + output);
            }

            Thread.Sleep(50);
        }

        return daemon;
    }

    /// <summary>SIGTERM, as an operator's service manager would stop it; true if it exited in time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit(5_000);
        }

        return _process.WaitForExit(timeout);
    }

    public void Dispose()
    {
        if (!Stop(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
