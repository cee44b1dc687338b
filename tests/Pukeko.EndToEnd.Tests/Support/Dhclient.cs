using System.Text.RegularExpressions;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// ISC <c>dhclient -6</c> in the lab's client namespace, with its own lease and PID files.
/// The script is <c>/bin/true</c>: the test reads the lease file, nothing is configured.
/// </summary>
internal sealed partial class Dhclient : IDisposable
{
    private readonly string _namespace;
    private readonly string _interface;

    public Dhclient(NetworkLab lab, string directory)
        : this(lab.ClientNamespace, lab.ClientInterface, directory)
    {
    }

    /// <summary>A client in any namespace, on <paramref name="clientInterface"/>.</summary>
    public Dhclient(string clientNamespace, string clientInterface, string directory)
    {
        _namespace = clientNamespace;
        _interface = clientInterface;
        LeaseFile = Path.Combine(directory, "dhclient6.leases");
        PidFile = Path.Combine(directory, "dhclient6.pid");
    }

    public string LeaseFile { get; }

    public string PidFile { get; }

    /// <summary>Runs one Solicit/Request exchange (<c>-1</c>: give up instead of retrying forever); the client then keeps running to renew.</summary>
    public (int ExitCode, string Output) Obtain(params string[] extra) =>
        Run.Command("timeout", ["60", "ip", "netns", "exec", _namespace, "dhclient", "-6", "-1", "-v", "-lf", LeaseFile, "-pf", PidFile, "-sf", "/bin/true", .. extra, _interface]);

    /// <summary>Sends a Release for the current lease and stops the running client.</summary>
    public (int ExitCode, string Output) Release() =>
        Run.Command("timeout", ["30", "ip", "netns", "exec", _namespace, "dhclient", "-6", "-r", "-v", "-lf", LeaseFile, "-pf", PidFile, "-sf", "/bin/true", _interface]);

    /// <summary>Addresses in the lease file (the last is the current one).</summary>
    public List<string> Addresses()
    {
        if (!File.Exists(LeaseFile))
        {
            return [];
        }

        return IaAddr().Matches(File.ReadAllText(LeaseFile)).Select(m => m.Groups[1].Value).ToList();
    }

    /// <summary>Stops the background client by the PID it wrote.</summary>
    public void Stop()
    {
        if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid))
        {
            Run.Command("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.Delete(PidFile);
        }
    }

    public void Dispose() => Stop();

    [GeneratedRegex(@"iaaddr\s+([0-9a-fA-F:]+)\s*\{")]
    private static partial Regex IaAddr();
}
