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

    /// <summary>Sends a Release for the current lease and stops the running client (<c>-N -P</c> in <paramref name="extra"/> releases both kinds of IA).</summary>
    public (int ExitCode, string Output) Release(params string[] extra) =>
        Run.Command("timeout", ["30", "ip", "netns", "exec", _namespace, "dhclient", "-6", "-r", "-v", "-lf", LeaseFile, "-pf", PidFile, "-sf", "/bin/true", .. extra, _interface]);

    /// <summary>Addresses in the lease file (the last is the current one).</summary>
    public List<string> Addresses()
    {
        if (!File.Exists(LeaseFile))
        {
            return [];
        }

        return IaAddr().Matches(File.ReadAllText(LeaseFile)).Select(m => m.Groups[1].Value).ToList();
    }

    /// <summary>
    /// Makes the client use <paramref name="duid"/>: dhclient reads <c>default-duid</c> (octal escapes) from its
    /// lease file, so tests can tell clients apart or make a reserved one.
    /// </summary>
    public void UseDuid(ReadOnlySpan<byte> duid)
    {
        var escaped = new System.Text.StringBuilder();
        foreach (var b in duid)
        {
            escaped.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
        }

        File.WriteAllText(LeaseFile, $"default-duid \"{escaped}\";\n");
    }

    /// <summary>Sets a DUID-LL (type 3, hardware type 1) made of <paramref name="mac"/>.</summary>
    public void UseDuidLl(ReadOnlySpan<byte> mac) => UseDuid([0, 3, 0, 1, .. mac]);

    /// <summary>Runs one Solicit/Request exchange, stops the client and returns the address it was bound to.</summary>
    public string ObtainAddress(string serverOutput)
    {
        var (code, output) = Obtain();
        Assert.True(code == 0, output + serverOutput);
        var address = Addresses().LastOrDefault();
        Assert.True(address is not null, output + serverOutput);
        Stop();
        return address;
    }

    /// <summary>Keeps only the client's DUID, so its next run solicits instead of confirming the old lease.</summary>
    public void ForgetLease()
    {
        var duidLine = File.ReadLines(LeaseFile).First(l => l.StartsWith("default-duid", StringComparison.Ordinal));
        File.WriteAllText(LeaseFile, duidLine + "\n");
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
