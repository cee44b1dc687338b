using System.Diagnostics;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// ISC's own <c>kea-dhcp6</c> (Debian's <c>kea-dhcp6-server</c>, Kea 2.2) started in the lab's
/// server namespace on a private directory, so Pukeko can be checked against the real thing.
/// Kea 2.2 keeps its server-id file in the config's <c>data-directory</c> (its
/// <c>KEA_DHCP_DATA_DIR</c> only moves the default lease file), so configs for it set both.
/// </summary>
internal sealed class KeaProcess : IDisposable
{
    public const string Executable = "/usr/sbin/kea-dhcp6";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private KeaProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>
    /// Writes the config (<c>{dir}</c>, <c>{iface}</c> replaced as for <see cref="ServerProcess"/>)
    /// to <c>kea-dhcp6.conf</c> in <paramref name="directory"/> and waits for <c>DHCP6_STARTED</c>.
    /// </summary>
    public static KeaProcess Start(NetworkLab lab, string configTemplate, string directory) =>
        Start(lab.ServerNamespace, lab.ServerInterface, configTemplate, directory);

    /// <summary>As <see cref="Start(NetworkLab, string, string)"/>, in any namespace (e.g. one server of an <see cref="HaLab"/> pair).</summary>
    public static KeaProcess Start(string serverNamespace, string serverInterface, string configTemplate, string directory)
    {
        var config = configTemplate.Replace("{dir}", directory, StringComparison.Ordinal).Replace("{iface}", serverInterface, StringComparison.Ordinal);
        return Launch(serverNamespace, Executable, "kea-dhcp6.conf", config, directory, "DHCP6_STARTED");
    }

    /// <summary>
    /// Debian's <c>kea-ctrl-agent</c> (package <c>kea-ctrl-agent</c>) in a namespace with the given <c>Control-agent</c>
    /// config, written to <c>kea-ctrl-agent.conf</c> in <paramref name="directory"/>; waits until its HTTP service is bound.
    /// Kea 2.2's HA needs it at the peer URL when the dedicated listener is off.
    /// </summary>
    public static KeaProcess StartControlAgent(string serverNamespace, string config, string directory) =>
        Launch(serverNamespace, ControlAgentExecutable, "kea-ctrl-agent.conf", config, directory, "CTRL_AGENT_HTTP_SERVICE_STARTED");

    public const string ControlAgentExecutable = "/usr/sbin/kea-ctrl-agent";

    private static KeaProcess Launch(string serverNamespace, string executable, string configName, string config, string directory, string startedMessage)
    {
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"{executable} is not installed (scripts/test.sh installs Kea 2.2's packages)", executable);
        }

        var configFile = Path.Combine(directory, configName);
        File.WriteAllText(configFile, config);

        // "ip netns exec" execs Kea in place, so the process id is Kea's own.
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "netns", "exec", serverNamespace, executable, "-c", configFile })
        {
            info.ArgumentList.Add(arg);
        }

        // Debian's build otherwise writes its pid file and log lock under /run/kea and /var/run/kea.
        info.Environment["KEA_DHCP_DATA_DIR"] = directory;
        info.Environment["KEA_LOG_FILE_DIR"] = directory;
        info.Environment["KEA_PIDFILE_DIR"] = directory;
        info.Environment["KEA_LOCKFILE_DIR"] = directory;
        info.Environment["KEA_CONTROL_SOCKET_DIR"] = directory;
        var kea = new KeaProcess(Process.Start(info)!, directory);
        if (!Run.WaitFor(() => kea.Output.Contains(startedMessage, StringComparison.Ordinal) || kea.HasExited, TimeSpan.FromSeconds(20)))
        {
            kea.Dispose();
            throw new TimeoutException($"{executable} did not start: " + kea.Output);
        }

        if (kea.HasExited)
        {
            throw new InvalidOperationException($"{executable} exited: " + kea.Output);
        }

        return kea;
    }

    /// <summary>SIGTERM by PID, then wait; true if Kea exited within the time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        Run.Command("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return _process.WaitForExit(timeout);
    }

    public void Dispose()
    {
        if (!_process.HasExited && !Stop(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
