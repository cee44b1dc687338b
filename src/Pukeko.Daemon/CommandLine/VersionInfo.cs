using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Pukeko.Daemon.CommandLine;

/// <summary>Texts printed by <c>-v</c>, <c>-V</c> and <c>-W</c>.</summary>
public static class VersionInfo
{
    private static readonly Assembly s_assembly = typeof(VersionInfo).Assembly;

    /// <summary>Full informational version, including any <c>+commit</c> suffix.</summary>
    public static string Informational { get; } =
        s_assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? s_assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";

    /// <summary>Short version (<c>-v</c>), e.g. <c>0.1.0</c>: the informational version without build metadata.</summary>
    public static string Short { get; } = Informational.Split('+')[0];

    /// <summary>Source revision from the informational version's <c>+</c> suffix, or null.</summary>
    public static string? Revision { get; } = Informational.Contains('+', StringComparison.Ordinal)
        ? Informational[(Informational.IndexOf('+', StringComparison.Ordinal) + 1)..]
        : null;

    /// <summary>Extended version (<c>-V</c>): version, runtime and back ends.</summary>
    public static string Extended { get; } = BuildExtended();

    /// <summary>Build configuration report (<c>-W</c>).</summary>
    public static string BuildReport { get; } = BuildReportText();

    private static string BuildExtended()
    {
        var sb = new StringBuilder();
        sb.Append(Short).Append(" (Pukeko").Append(Revision is null ? string.Empty : " " + Revision).Append(')').Append('\n');
        sb.Append("linked with:\n");
        sb.Append(RuntimeInformation.FrameworkDescription).Append('\n');
        sb.Append('\n');
        sb.Append("lease backends:\n");
        sb.Append("- Memfile backend (Kea CSV lease file format)\n");
        sb.Append('\n');
        sb.Append("hooks:\n");
        sb.Append("- .NET hook assemblies; lease commands built in");
        return sb.ToString();
    }

    private static string BuildReportText()
    {
        var sb = new StringBuilder();
        void Line(string key, string value) => sb.Append("  ").Append((key + ":").PadRight(22)).Append(value).Append('\n');
        sb.Append("Pukeko build report\n");
        Line("product", "Pukeko DHCPv6 server (kea-dhcp6 compatible)");
        Line("version", Short);
        Line("informational version", Informational);
        Line("runtime", RuntimeInformation.FrameworkDescription);
        Line("runtime identifier", RuntimeInformation.RuntimeIdentifier);
        Line("os", RuntimeInformation.OSDescription);
        Line("architecture", RuntimeInformation.ProcessArchitecture.ToString());
        Line("lease backends", "memfile");
        Line("host backends", "configuration file");
        Line("config backends", "none");
        Line("hooks", ".NET assemblies");
        Line("logging", "Microsoft.Extensions.Logging, Kea layout");
        sb.Length--; // no trailing newline, the caller prints one
        return sb.ToString();
    }
}
