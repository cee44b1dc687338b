using System.Globalization;

namespace Pukeko.Daemon.CommandLine;

/// <summary>
/// kea-dhcp6's command line, parsed the way POSIX/GNU <c>getopt("dvVWXc:p:P:t:T:")</c> does:
/// flags may be grouped (<c>-dX</c>), an option argument may be attached or separate
/// (<c>-p547</c>, <c>-p 547</c>, <c>-dc file</c>), <c>--</c> ends the options and non-option
/// words may appear anywhere (they are then rejected as extraneous).
/// <para>
/// As in kea-dhcp6: <c>-v</c>, <c>-V</c> and <c>-W</c> act as soon as they are reached (anything
/// after them is not examined); <c>-c</c>, <c>-t</c> and <c>-T</c> all name the configuration file,
/// the last one wins, and any <c>-t</c> or <c>-T</c> turns the run into a check (<c>-T</c> wins over
/// <c>-t</c>); a configuration file is mandatory otherwise; ports must be 1..65535.
/// </para>
/// </summary>
public static class KeaCommandLine
{
    public const int DefaultServerPort = 547;
    public const int DefaultClientPort = 546;

    public const string ImportLeasesOption = "--import-leases";
    public const string ExportLeasesOption = "--export-leases";
    public const string OverwriteOption = "--overwrite";

    /// <summary>Program name used in getopt-style messages and the usage text.</summary>
    public const string ProgramName = "kea-dhcp6";

    /// <summary>Usage text for stderr (ends with a newline).</summary>
    public static string Usage { get; } =
        $"""
        Pukeko DHCPv6 server (kea-dhcp6 compatible), version {VersionInfo.Short}

        Usage: {ProgramName} -[v|V|W] [-d] [-X] [-{"{"}c|t|T{"}"} cfgfile] [-p number] [-P number]
          -v: print the version and exit
          -V: print the extended version and exit
          -W: print the build configuration report and exit
          -d: debug mode: log everything (DEBUG, debug level 99)
          -X: relax the security checks on file and socket paths
          -c file: run with this configuration file
          -t file: check the configuration file and exit
          -T file: check the configuration file, also loading hook libraries, and exit
          -p number: server port to listen on, 1-65535 (default {DefaultServerPort}; for testing)
          -P number: client port to answer to, 1-65535 (default {DefaultClientPort}; for testing)

        Lease migration (Pukeko only; stop the server first):
          -c file {ImportLeasesOption} csv [{OverwriteOption}]: copy the leases of a memfile lease file into
              the PostgreSQL lease-database of the configuration, in transactions of 1000 leases; without
              {OverwriteOption} nothing is written when any of them is already in the database; a copy that
              fails part way says how far it got, and the same command with {OverwriteOption} finishes it
          -c file {ExportLeasesOption} csv [{OverwriteOption}]: write every lease of that database as a memfile
              lease file; {OverwriteOption} replaces an existing file

        """;

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool debug = false, relax = false, check = false, full = false;
        int serverPort = DefaultServerPort, clientPort = DefaultClientPort;
        string? config = null;
        var extraneous = new List<string>();
        RunMode? copy = null;
        string? leaseFile = null;
        bool overwrite = false;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                extraneous.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? arg : arg[..equals];
                string? attached = equals < 0 ? null : arg[(equals + 1)..];
                switch (name)
                {
                    case ImportLeasesOption or ExportLeasesOption:
                        var requested = name == ImportLeasesOption ? RunMode.ImportLeases : RunMode.ExportLeases;
                        if (attached is null && i + 1 >= args.Count)
                        {
                            return new CommandLineError($"{ProgramName}: option '{name}' requires an argument");
                        }

                        leaseFile = attached ?? args[++i];
                        if (leaseFile.Length == 0)
                        {
                            return new CommandLineError($"{name}: the lease file name is empty");
                        }

                        if (copy is { } other && other != requested)
                        {
                            return new CommandLineError($"{ImportLeasesOption} and {ExportLeasesOption} cannot be used together");
                        }

                        copy = requested;
                        continue;
                    case OverwriteOption when attached is null:
                        overwrite = true;
                        continue;
                    case OverwriteOption:
                        return new CommandLineError($"{ProgramName}: option '{OverwriteOption}' doesn't allow an argument");
                    default:
                        return new CommandLineError($"{ProgramName}: unrecognized option '{arg}'");
                }
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                extraneous.Add(arg);
                continue;
            }
            for (int j = 1; j < arg.Length; j++)
            {
                char flag = arg[j];
                switch (flag)
                {
                    case 'd': debug = true; continue;
                    case 'X': relax = true; continue;
                    case 'v': return new CommandLineOptions(RunMode.Version, config, debug, serverPort, clientPort, relax);
                    case 'V': return new CommandLineOptions(RunMode.ExtendedVersion, config, debug, serverPort, clientPort, relax);
                    case 'W': return new CommandLineOptions(RunMode.BuildReport, config, debug, serverPort, clientPort, relax);
                    case 'c' or 't' or 'T' or 'p' or 'P':
                        break;
                    default:
                        return new CommandLineError($"{ProgramName}: invalid option -- '{flag}'");
                }

                // Option with an argument: the rest of this word, or the next word.
                string value;
                if (j + 1 < arg.Length)
                {
                    value = arg[(j + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    return new CommandLineError($"{ProgramName}: option requires an argument -- '{flag}'");
                }

                switch (flag)
                {
                    case 'c':
                        config = value;
                        break;
                    case 't':
                        check = true;
                        config = value;
                        break;
                    case 'T':
                        check = true;
                        full = true;
                        config = value;
                        break;
                    case 'p':
                        if (!TryParsePort(value, out serverPort))
                        {
                            return new CommandLineError($"Failed to parse server port number: [{value}], 1-65535 allowed.");
                        }
                        break;
                    case 'P':
                        if (!TryParsePort(value, out clientPort))
                        {
                            return new CommandLineError($"Failed to parse client port number: [{value}], 1-65535 allowed.");
                        }
                        break;
                }
                break; // the argument consumed the rest of the word
            }
        }

        if (extraneous.Count > 0)
        {
            return new CommandLineError($"Extraneous arguments: {string.Join(' ', extraneous)}");
        }
        if (overwrite && copy is null)
        {
            return new CommandLineError($"{OverwriteOption} needs {ImportLeasesOption} or {ExportLeasesOption}");
        }
        if (copy is not null && check)
        {
            return new CommandLineError($"{ImportLeasesOption} and {ExportLeasesOption} cannot be combined with -t or -T");
        }
        if (string.IsNullOrEmpty(config))
        {
            return new CommandLineError("Configuration file not specified.");
        }
        if (copy is { } copyMode)
        {
            return new CommandLineOptions(copyMode, config, debug, serverPort, clientPort, relax, leaseFile, overwrite);
        }
        RunMode mode = full ? RunMode.CheckFull : check ? RunMode.CheckSyntax : RunMode.Run;
        return new CommandLineOptions(mode, config, debug, serverPort, clientPort, relax);
    }

    /// <summary>Decimal integer with an optional sign, no spaces, in 1..65535.</summary>
    public static bool TryParsePort(string text, out int port)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port)
            && port is >= 1 and <= 65535)
        {
            return true;
        }
        port = 0;
        return false;
    }
}
