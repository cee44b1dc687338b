namespace Pukeko.Daemon.CommandLine;

/// <summary>What the process was asked to do.</summary>
public enum RunMode
{
    /// <summary><c>-c FILE</c>: run the server in the foreground.</summary>
    Run,

    /// <summary><c>-t FILE</c>: check the configuration's syntax and logic, then exit.</summary>
    CheckSyntax,

    /// <summary><c>-T FILE</c>: full check (also loads hooks), without opening sockets or files, then exit.</summary>
    CheckFull,

    /// <summary><c>-v</c>: print <see cref="VersionInfo.Short"/> to stdout, exit 0.</summary>
    Version,

    /// <summary><c>-V</c>: print <see cref="VersionInfo.Extended"/> to stdout, exit 0.</summary>
    ExtendedVersion,

    /// <summary><c>-W</c>: print <see cref="VersionInfo.BuildReport"/> to stdout, exit 0.</summary>
    BuildReport,

    /// <summary>
    /// <c>-c FILE --import-leases CSV</c> (Pukeko's own): copy the leases of a memfile lease file into the
    /// configuration's PostgreSQL lease database, then exit.
    /// </summary>
    ImportLeases,

    /// <summary>
    /// <c>-c FILE --export-leases CSV</c> (Pukeko's own): write the leases of the configuration's PostgreSQL lease
    /// database as a memfile lease file, then exit.
    /// </summary>
    ExportLeases,
}

/// <summary>Result of <see cref="KeaCommandLine.Parse"/>: either <see cref="CommandLineOptions"/> or <see cref="CommandLineError"/>.</summary>
public abstract record CommandLineResult;

/// <summary>
/// A successfully parsed command line. <see cref="ConfigFile"/> is set for
/// <see cref="RunMode.Run"/>, <see cref="RunMode.CheckSyntax"/> and <see cref="RunMode.CheckFull"/>
/// and may be null for the print-and-exit modes. <see cref="LeaseFile"/> is set for <see cref="RunMode.ImportLeases"/>
/// and <see cref="RunMode.ExportLeases"/>; <see cref="Overwrite"/> is their <c>--overwrite</c>.
/// </summary>
public sealed record CommandLineOptions(
    RunMode Mode,
    string? ConfigFile,
    bool Debug = false,
    int ServerPort = KeaCommandLine.DefaultServerPort,
    int ClientPort = KeaCommandLine.DefaultClientPort,
    bool RelaxSecurity = false,
    string? LeaseFile = null,
    bool Overwrite = false) : CommandLineResult
{
    /// <summary>True for <c>-t</c> and <c>-T</c>.</summary>
    public bool IsCheckOnly => Mode is RunMode.CheckSyntax or RunMode.CheckFull;
}

/// <summary>
/// A command line kea-dhcp6 would reject. Print <see cref="Message"/> and then
/// <see cref="KeaCommandLine.Usage"/> on stderr and exit with <see cref="ExitCode"/> (1).
/// </summary>
public sealed record CommandLineError(string Message) : CommandLineResult
{
    public int ExitCode => 1;
}
