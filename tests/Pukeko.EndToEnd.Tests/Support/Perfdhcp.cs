using System.Globalization;
using System.Text.RegularExpressions;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// ISC <c>perfdhcp</c> (Debian's <c>kea-admin</c>) in the lab's client namespace. In DHCPv6 mode
/// <c>-l IFACE</c> makes it send from that interface's link-local address to ff02::1:2.
/// </summary>
internal static partial class Perfdhcp
{
    public const string Executable = "/usr/sbin/perfdhcp";

    /// <summary>Runs <c>perfdhcp -6 -l IFACE args...</c> (bounded by <c>timeout</c>) and parses the final report.</summary>
    public static PerfdhcpReport Run(NetworkLab lab, int timeoutSeconds, params string[] args) =>
        Run(lab.ClientNamespace, lab.ClientInterface, timeoutSeconds, args);

    /// <summary>As <see cref="Run(NetworkLab, int, string[])"/>, from any namespace and interface (e.g. an <see cref="HaLab"/>'s client).</summary>
    public static PerfdhcpReport Run(string clientNamespace, string clientInterface, int timeoutSeconds, params string[] args)
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException("perfdhcp is not installed: apt-get install kea-admin (scripts/test.sh does)", Executable);
        }

        var (code, output) = Support.Run.Command("timeout", [timeoutSeconds.ToString(CultureInfo.InvariantCulture), "ip", "netns", "exec", clientNamespace, Executable, "-6", "-l", clientInterface, .. args]);
        return Parse(code, output);
    }

    /// <summary>
    /// Full exchanges for <paramref name="clients"/> new clients (one per exchange: <c>-R</c> = <c>-n</c>, stepped
    /// from <paramref name="baseMac"/>, so each run's clients are new), at 40/s. A reply later than 5 s is a drop (the
    /// first <c>-d</c> is for Solicits, the second for Requests; their default of 1 s is too short on a busy machine,
    /// where an HA server's Reply also waits for its partner's acknowledgement). The counts go to the test's output;
    /// perfdhcp must have run to its end.
    /// </summary>
    public static PerfdhcpReport FreshClients(string clientNamespace, string clientInterface, int clients, string baseMac, Xunit.Abstractions.ITestOutputHelper output)
    {
        var count = clients.ToString(CultureInfo.InvariantCulture);
        var report = Run(clientNamespace, clientInterface, 28, "-r", "40", "-R", count, "-n", count, "-p", "20", "-d", "5", "-d", "5", "-b", "mac=" + baseMac, "-W", "3000000");
        output.WriteLine($"perfdhcp {baseMac}: {report.SolicitAdvertise.Sent} Solicits, {report.SolicitAdvertise.Received} Advertises, {report.RequestReply.Sent} Requests, {report.RequestReply.Received} Replies");
        Assert.True(report.ExitCode is 0 or 3, report.Output);
        return report;
    }

    public static PerfdhcpReport Parse(int exitCode, string output)
    {
        var rate = RateLine().Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new PerfdhcpReport(exitCode, output, Section(output, "SOLICIT-ADVERTISE"), Section(output, "REQUEST-REPLY"), rate);
    }

    private static PerfdhcpExchange Section(string output, string name)
    {
        var start = output.IndexOf("***Statistics for: " + name + "***", StringComparison.Ordinal);
        if (start < 0)
        {
            return new PerfdhcpExchange(0, 0, 0);
        }

        var end = output.IndexOf("***Statistics for:", start + 3, StringComparison.Ordinal);
        var text = end < 0 ? output[start..] : output[start..end];
        return new PerfdhcpExchange(Number(text, "sent packets"), Number(text, "received packets"), Number(text, "drops"));
    }

    private static long Number(string text, string label) =>
        Regex.Match(text, "^" + Regex.Escape(label) + @": (\d+)", RegexOptions.Multiline) is { Success: true } m
            ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : 0;

    [GeneratedRegex(@"^Rate: ([0-9.]+) 4-way exchanges/second", RegexOptions.Multiline)]
    private static partial Regex RateLine();
}
