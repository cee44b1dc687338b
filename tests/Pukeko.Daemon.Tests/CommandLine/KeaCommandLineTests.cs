using Pukeko.Daemon.CommandLine;

namespace Pukeko.Daemon.Tests.CommandLine;

public sealed class KeaCommandLineTests
{
    private static CommandLineOptions Ok(params string[] args)
    {
        CommandLineResult r = KeaCommandLine.Parse(args);
        return Assert.IsType<CommandLineOptions>(r);
    }

    private static string Err(params string[] args)
    {
        CommandLineResult r = KeaCommandLine.Parse(args);
        CommandLineError e = Assert.IsType<CommandLineError>(r);
        Assert.Equal(1, e.ExitCode);
        return e.Message;
    }

    [Fact]
    public void Run_with_config_has_kea_defaults()
    {
        Assert.Equal(new CommandLineOptions(RunMode.Run, "/etc/kea/kea-dhcp6.conf", false, 547, 546, false),
            Ok("-c", "/etc/kea/kea-dhcp6.conf"));
    }

    [Theory]
    [InlineData(new[] { "-t", "f" }, RunMode.CheckSyntax)]
    [InlineData(new[] { "-T", "f" }, RunMode.CheckFull)]
    [InlineData(new[] { "-t", "x", "-c", "f" }, RunMode.CheckSyntax)]
    [InlineData(new[] { "-c", "x", "-t", "f" }, RunMode.CheckSyntax)]
    [InlineData(new[] { "-T", "x", "-t", "f" }, RunMode.CheckFull)]
    [InlineData(new[] { "-t", "x", "-T", "f" }, RunMode.CheckFull)]
    [InlineData(new[] { "-c", "x", "-c", "f" }, RunMode.Run)]
    public void Config_flags_last_file_wins_and_checks_are_sticky(string[] args, RunMode mode)
    {
        CommandLineOptions o = Ok(args);
        Assert.Equal(mode, o.Mode);
        Assert.Equal("f", o.ConfigFile);
        Assert.Equal(mode != RunMode.Run, o.IsCheckOnly);
    }

    [Theory]
    [InlineData("-v", RunMode.Version)]
    [InlineData("-V", RunMode.ExtendedVersion)]
    [InlineData("-W", RunMode.BuildReport)]
    public void Print_flags_need_no_config_and_stop_parsing(string flag, RunMode mode)
    {
        Assert.Equal(mode, Ok(flag).Mode);
        Assert.Equal(mode, Ok("-d", flag, "-Z", "--bogus", "extra").Mode); // nothing after it is examined
        Assert.Equal(mode, Ok("-c", "f", flag).Mode);
        Assert.Equal(mode, Ok("-d" + flag[1]).Mode);
        Assert.Equal("kea-dhcp6: invalid option -- 'Z'", Err("-Z", flag)); // an error before it wins
    }

    [Fact]
    public void Debug_and_relax_flags()
    {
        CommandLineOptions o = Ok("-d", "-X", "-c", "f");
        Assert.True(o.Debug);
        Assert.True(o.RelaxSecurity);
        Assert.False(Ok("-c", "f").Debug);
        Assert.False(Ok("-c", "f").RelaxSecurity);
    }

    [Theory]
    [InlineData(new[] { "-dc", "f" }, true, false)]
    [InlineData(new[] { "-dcf" }, true, false)]
    [InlineData(new[] { "-Xdc", "f" }, true, true)]
    [InlineData(new[] { "-cf", "-dX" }, true, true)]
    [InlineData(new[] { "-X", "-c", "f", "-d" }, true, true)]
    [InlineData(new[] { "-Xc", "f" }, false, true)]
    public void Grouped_flags_and_attached_arguments(string[] args, bool debug, bool relax)
    {
        CommandLineOptions o = Ok(args);
        Assert.Equal("f", o.ConfigFile);
        Assert.Equal(debug, o.Debug);
        Assert.Equal(relax, o.RelaxSecurity);
    }

    [Fact]
    public void Option_argument_may_look_like_a_flag()
    {
        Assert.Equal("-d", Ok("-c", "-d").ConfigFile);
        Assert.Equal("d", Ok("-cd").ConfigFile);
        Assert.False(Ok("-cd").Debug);
    }

    [Fact]
    public void Ports()
    {
        CommandLineOptions o = Ok("-p", "1547", "-P1546", "-c", "f");
        Assert.Equal(1547, o.ServerPort);
        Assert.Equal(1546, o.ClientPort);
        Assert.Equal(1, Ok("-p1", "-cf").ServerPort);
        Assert.Equal(65535, Ok("-P", "65535", "-cf").ClientPort);
        Assert.Equal(547, Ok("-dp+547", "-cf").ServerPort);
    }

    [Theory]
    [InlineData("-p", "0", "server")]
    [InlineData("-p", "65536", "server")]
    [InlineData("-p", "-1", "server")]
    [InlineData("-p", "abc", "server")]
    [InlineData("-p", "547x", "server")]
    [InlineData("-p", " 547", "server")]
    [InlineData("-p", "", "server")]
    [InlineData("-P", "0", "client")]
    [InlineData("-P", "99999999999", "client")]
    public void Bad_ports_are_rejected(string flag, string value, string which)
    {
        Assert.Equal($"Failed to parse {which} port number: [{value}], 1-65535 allowed.", Err(flag, value, "-c", "f"));
    }

    [Theory]
    [InlineData(new[] { "-c" }, "kea-dhcp6: option requires an argument -- 'c'")]
    [InlineData(new[] { "-d", "-t" }, "kea-dhcp6: option requires an argument -- 't'")]
    [InlineData(new[] { "-T" }, "kea-dhcp6: option requires an argument -- 'T'")]
    [InlineData(new[] { "-c", "f", "-p" }, "kea-dhcp6: option requires an argument -- 'p'")]
    [InlineData(new[] { "-c", "f", "-P" }, "kea-dhcp6: option requires an argument -- 'P'")]
    [InlineData(new[] { "-c", "f", "-x" }, "kea-dhcp6: invalid option -- 'x'")]
    [InlineData(new[] { "-dZ", "-c", "f" }, "kea-dhcp6: invalid option -- 'Z'")]
    [InlineData(new[] { "-N", "4", "-c", "f" }, "kea-dhcp6: invalid option -- 'N'")]
    [InlineData(new[] { "--config", "f" }, "kea-dhcp6: unrecognized option '--config'")]
    [InlineData(new string[0], "Configuration file not specified.")]
    [InlineData(new[] { "-d" }, "Configuration file not specified.")]
    [InlineData(new[] { "-c", "" }, "Configuration file not specified.")]
    [InlineData(new[] { "-c", "f", "extra" }, "Extraneous arguments: extra")]
    [InlineData(new[] { "extra", "-c", "f" }, "Extraneous arguments: extra")]
    [InlineData(new[] { "-c", "f", "-" }, "Extraneous arguments: -")]
    [InlineData(new[] { "-c", "f", "--", "-d" }, "Extraneous arguments: -d")]
    public void Errors(string[] args, string message)
    {
        Assert.Equal(message, Err(args));
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        Assert.Equal("f", Ok("-c", "f", "--").ConfigFile);
    }

    [Fact]
    public void Usage_lists_every_flag()
    {
        string usage = KeaCommandLine.Usage;
        Assert.StartsWith("Pukeko DHCPv6 server", usage, StringComparison.Ordinal);
        Assert.Contains("Usage: kea-dhcp6 -[v|V|W] [-d] [-X] [-{c|t|T} cfgfile] [-p number] [-P number]", usage, StringComparison.Ordinal);
        foreach (string flag in new[] { "-v:", "-V:", "-W:", "-d:", "-X:", "-c file:", "-t file:", "-T file:", "-p number:", "-P number:" })
        {
            Assert.Contains("  " + flag, usage, StringComparison.Ordinal);
        }
        Assert.EndsWith("\n", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "-c", "f", "--import-leases", "l.csv" }, RunMode.ImportLeases, false)]
    [InlineData(new[] { "--import-leases=l.csv", "-c", "f", "--overwrite" }, RunMode.ImportLeases, true)]
    [InlineData(new[] { "--overwrite", "-c", "f", "--export-leases", "l.csv" }, RunMode.ExportLeases, true)]
    [InlineData(new[] { "-c", "f", "--export-leases", "x.csv", "--export-leases", "l.csv" }, RunMode.ExportLeases, false)]
    public void Lease_copy_options_need_a_config_and_name_the_lease_file(string[] args, RunMode mode, bool overwrite)
    {
        CommandLineOptions o = Ok(args);
        Assert.Equal((mode, "f", "l.csv", overwrite), (o.Mode, o.ConfigFile, o.LeaseFile, o.Overwrite));
        Assert.False(o.IsCheckOnly);
        Assert.Null(Ok("-c", "f").LeaseFile);
    }

    [Theory]
    [InlineData(new[] { "-c", "f", "--import-leases" }, "kea-dhcp6: option '--import-leases' requires an argument")]
    [InlineData(new[] { "-c", "f", "--export-leases=" }, "--export-leases: the lease file name is empty")]
    [InlineData(new[] { "-c", "f", "--import-leases", "a", "--export-leases", "b" }, "--import-leases and --export-leases cannot be used together")]
    [InlineData(new[] { "-c", "f", "--overwrite" }, "--overwrite needs --import-leases or --export-leases")]
    [InlineData(new[] { "-c", "f", "--overwrite=yes", "--import-leases", "a" }, "kea-dhcp6: option '--overwrite' doesn't allow an argument")]
    [InlineData(new[] { "-t", "f", "--import-leases", "a" }, "--import-leases and --export-leases cannot be combined with -t or -T")]
    [InlineData(new[] { "--export-leases", "a" }, "Configuration file not specified.")]
    [InlineData(new[] { "-c", "f", "--import-lease", "a" }, "kea-dhcp6: unrecognized option '--import-lease'")]
    [InlineData(new[] { "-c", "f", "--import-leases", "a", "b" }, "Extraneous arguments: b")]
    public void Lease_copy_option_errors(string[] args, string message)
    {
        Assert.Equal(message, Err(args));
    }

    [Fact]
    public void Usage_describes_the_lease_copy_options()
    {
        Assert.Contains("-c file --import-leases csv [--overwrite]", KeaCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("-c file --export-leases csv [--overwrite]", KeaCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_args_throw()
    {
        Assert.Throws<ArgumentNullException>(() => KeaCommandLine.Parse(null!));
    }
}
