using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// The Debian package as an operator meets it: <c>dpkg -i</c> on this machine, the files and the user it
/// makes, the programs it installs (no .NET runtime of the machine's involved), the shipped
/// configuration, the systemd unit, the server serving a real client with exactly the rights the unit
/// gives it, then <c>dpkg -r</c> (configuration stays) and <c>dpkg --purge</c> (nothing stays but the
/// operator's own file and the system user, as Debian's practice is).
/// <para>
/// The package is <c>$PUKEKO_DEB</c> when set (scripts/test.sh builds it first), else
/// scripts/build-deb.sh builds one. The tests skip, and change nothing, when this machine already has a
/// pukeko-dhcp6 package or its directories: those are someone else's.
/// </para>
/// </summary>
[Collection(EndToEndCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class DebianPackageTests
{
    private const string Package = "pukeko-dhcp6";
    private const string User = "_pukeko";

    /// <summary>Paths the package or its server make; none may exist before the test or after the purge.</summary>
    internal static readonly string[] OwnPaths =
    [
        "/usr/lib/pukeko", "/usr/sbin/pukeko-dhcp6", "/usr/bin/pukeko-ctl", "/etc/pukeko", "/var/lib/pukeko",
        "/var/log/pukeko", "/run/pukeko", "/lib/systemd/system/pukeko-dhcp6.service",
        "/etc/systemd/system/multi-user.target.wants/pukeko-dhcp6.service",
        "/var/lib/systemd/deb-systemd-helper-enabled/pukeko-dhcp6.service.dsh-also",
        "/usr/share/doc/pukeko-dhcp6", "/usr/share/man/man8/pukeko-dhcp6.8.gz", "/usr/share/man/man1/pukeko-ctl.1.gz",
    ];

    private static readonly Lazy<string> Deb = new(FindOrBuildDeb, LazyThreadSafetyMode.ExecutionAndPublication);

    [DebianPackageFact]
    public void InstallsServesAndPurgesLeavingOnlyTheOperatorsFiles()
    {
        var deb = Deb.Value;
        var userExisted = Sh("getent", "passwd", User).ExitCode == 0;
        var log = new StringBuilder();
        NetworkLab? lab = null;
        Process? server = null;
        Dhclient? client = null;
        var work = Directory.CreateTempSubdirectory("pukeko-deb-").FullName;
        try
        {
            // ------------------------------------------------------------ install
            Checked(log, "dpkg", "-i", deb);
            Assert.Equal("install ok installed", Checked(log, "dpkg-query", "-W", "-f=${Status}", Package));
            var debVersion = Checked(log, "dpkg-deb", "-f", deb, "Version");
            var listed = Checked(log, "dpkg", "-L", Package).Split('\n', StringSplitOptions.RemoveEmptyEntries);

            // Files: programs, runtime, configuration (a conffile the server's group may read), unit, docs.
            Assert.True(IsExecutable("/usr/sbin/pukeko-dhcp6"), "/usr/sbin/pukeko-dhcp6");
            Assert.True(IsExecutable("/usr/bin/pukeko-ctl"), "/usr/bin/pukeko-ctl");
            foreach (var file in new[] { "/usr/lib/pukeko/pukeko-dhcp6", "/usr/lib/pukeko/pukeko-ctl", "/usr/lib/pukeko/libcoreclr.so", "/usr/lib/pukeko/pukeko-dhcp6.dll" })
            {
                Assert.Contains(file, listed);
            }

            // Self-contained: the runtime configuration names the frameworks it carries, not ones to look for.
            Assert.Contains("includedFrameworks", File.ReadAllText("/usr/lib/pukeko/pukeko-dhcp6.runtimeconfig.json"), StringComparison.Ordinal);
            Assert.Contains("/etc/pukeko/pukeko-dhcp6.conf", Checked(log, "dpkg-query", "-W", "-f=${Conffiles}", Package), StringComparison.Ordinal);
            Assert.Equal($"root {User} 640", Checked(log, "stat", "-c", "%U %G %a", "/etc/pukeko/pukeko-dhcp6.conf"));
            Assert.Equal($"{User} {User} 750", Checked(log, "stat", "-c", "%U %G %a", "/var/lib/pukeko"));
            Assert.Equal($"{User} {User} 750", Checked(log, "stat", "-c", "%U %G %a", "/var/log/pukeko"));
            foreach (var doc in new[] { "/usr/share/man/man8/pukeko-dhcp6.8.gz", "/usr/share/man/man1/pukeko-ctl.1.gz", "/usr/share/doc/pukeko-dhcp6/changelog.Debian.gz" })
            {
                Assert.True(File.Exists(doc), doc);
            }

            Assert.StartsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", File.ReadAllText("/usr/share/doc/pukeko-dhcp6/copyright"), StringComparison.Ordinal);

            // A system user with no login, and not enabled or started by the installation.
            var passwd = Checked(log, "getent", "passwd", User).Split(':');
            Assert.InRange(int.Parse(passwd[2], CultureInfo.InvariantCulture), 1, 999);
            Assert.EndsWith("nologin", passwd[6], StringComparison.Ordinal);
            Assert.False(File.Exists("/etc/systemd/system/multi-user.target.wants/pukeko-dhcp6.service"), "the installation enabled the service");

            // ------------------------------------------------------------ programs
            // The machine's .NET (if any) is out of the way: the programs must bring their own.
            var noDotnet = new Dictionary<string, string> { ["DOTNET_ROOT"] = "/nonexistent", ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" };
            var upstream = debVersion[..debVersion.LastIndexOf('-')].Replace('~', '-');
            Assert.Equal(upstream, Checked(log, noDotnet, "/usr/sbin/pukeko-dhcp6", "-v"));
            var extended = Checked(log, noDotnet, "/usr/sbin/pukeko-dhcp6", "-V");
            Assert.StartsWith(upstream + " (Pukeko", extended, StringComparison.Ordinal);
            Assert.Contains(".NET 10.", extended, StringComparison.Ordinal);

            // The shipped configuration is good, read as the service reads it (as the server's user).
            var check = Checked(log, "setpriv", "--reuid", User, "--regid", User, "--init-groups", "/usr/sbin/pukeko-dhcp6", "-t", "/etc/pukeko/pukeko-dhcp6.conf");
            Assert.Contains("DHCP6_CONFIG_CHECK_OK", check, StringComparison.Ordinal);

            // pukeko-ctl looks for the packaged socket; nothing listens there yet (69: unreachable).
            var (ctlCode, ctlOutput) = Sh(log, "/usr/bin/pukeko-ctl", "status-get");
            Assert.True(ctlCode == 69, ctlOutput);
            Assert.Contains("/run/pukeko/kea6-ctrl-socket", ctlOutput, StringComparison.Ordinal);

            // ------------------------------------------------------------ unit
            const string unit = "/lib/systemd/system/pukeko-dhcp6.service";
            Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd");
            var (verifyCode, verifyOutput) = Sh(log, "systemd-analyze", "verify", unit);
            Assert.True(verifyCode == 0, verifyOutput);
            Assert.DoesNotContain("pukeko-dhcp6.service:", verifyOutput, StringComparison.Ordinal);
            var unitText = File.ReadAllLines(unit);
            foreach (var line in new[]
            {
                "Type=notify", $"User={User}", "ExecStart=/usr/sbin/pukeko-dhcp6 -c /etc/pukeko/pukeko-dhcp6.conf",
                "ExecReload=/bin/kill -HUP $MAINPID", "Conflicts=kea-dhcp6-server.service", "ProtectSystem=strict",
                "NoNewPrivileges=yes", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
            })
            {
                Assert.Contains(line, unitText);
            }

            // ------------------------------------------------------------ serving with the unit's rights
            // As systemd would run it: user _pukeko, no new privileges, CAP_NET_BIND_SERVICE as the only
            // capability (ambient and bounding), /run/pukeko made for it (RuntimeDirectory=). Port 547 and
            // ff02::1:2 must work with that alone, and a real client must get an address.
            lab = new NetworkLab();
            Checked(log, "install", "-d", "-o", User, "-g", User, "-m", "0750", "/run/pukeko");
            File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101); // 0755: the server's user reads its configuration here
            var config = Path.Combine(work, "served.conf");
            File.WriteAllText(config, ServedConfig(lab.ServerInterface));
            File.SetUnixFileMode(config, (UnixFileMode)0b110_100_100); // 0644
            var output = new StringBuilder();
            server = StartServer(lab, config, output);
            Assert.True(Run.WaitFor(() => Text(output).Contains("DHCP6_STARTED", StringComparison.Ordinal) || server.HasExited, TimeSpan.FromSeconds(60)), Text(output));
            Assert.False(server.HasExited, Text(output));
            Assert.Contains("CapEff:\t0000000000000400", File.ReadAllText($"/proc/{server.Id}/status"), StringComparison.Ordinal);
            Assert.Contains(User, Checked(log, "ps", "-o", "user=", "-p", server.Id.ToString(CultureInfo.InvariantCulture)), StringComparison.Ordinal);
            Assert.Contains("[::]:547", Checked(log, "ip", "netns", "exec", lab.ServerNamespace, "ss", "-uln"), StringComparison.Ordinal);
            Assert.Contains("ff02::1:2", Checked(log, "ip", "-n", lab.ServerNamespace, "-6", "maddr", "show", "dev", lab.ServerInterface), StringComparison.Ordinal);

            client = new Dhclient(lab, work);
            var (obtained, dhclientOutput) = client.Obtain();
            Assert.True(obtained == 0, dhclientOutput + Text(output));
            var address = Assert.Single(client.Addresses());
            Assert.Contains(File.ReadAllLines("/var/lib/pukeko/kea-leases6.csv"), row => row.StartsWith(address + ",", StringComparison.Ordinal));
            Assert.True(File.Exists("/var/lib/pukeko/kea-dhcp6-serverid"), "no server DUID file");
            var status = Checked(log, "/usr/bin/pukeko-ctl", "status-get");
            Assert.Contains("\"result\": 0", status, StringComparison.Ordinal);

            // SIGTERM, as systemctl stop sends: a clean stop, with the lease file finished.
            Checked(log, "kill", "-TERM", server.Id.ToString(CultureInfo.InvariantCulture));
            Assert.True(server.WaitForExit(15_000), "the server did not stop on SIGTERM: " + Text(output));
            Assert.True(server.ExitCode == 0, Text(output));
            client.Stop();

            // An operator's own file among the server's.
            File.WriteAllText("/var/lib/pukeko/operator-notes.txt", "kept across a purge\n");

            // ------------------------------------------------------------ remove: configuration stays
            Checked(log, "dpkg", "-r", Package);
            Assert.Equal("deinstall ok config-files", Checked(log, "dpkg-query", "-W", "-f=${Status}", Package));
            Assert.True(File.Exists("/etc/pukeko/pukeko-dhcp6.conf"), "dpkg -r removed the configuration");
            Assert.False(File.Exists("/usr/lib/pukeko/pukeko-dhcp6"), "dpkg -r left the server");

            // ------------------------------------------------------------ purge: only the operator's file stays
            Checked(log, "dpkg", "--purge", Package);
            var (known, state) = Sh("dpkg-query", "-W", "-f=${Status}", Package);
            Assert.True(known != 0 || state.Contains("not-installed", StringComparison.Ordinal), state);
            var left = OwnPaths.Where(Exists).ToList();
            Assert.Equal(["/var/lib/pukeko"], left);
            Assert.Equal(["operator-notes.txt"], Directory.GetFileSystemEntries("/var/lib/pukeko").Select(Path.GetFileName));
            var leftFromList = listed.Where(p => !Directory.Exists(p) && Exists(p)).ToList();
            Assert.True(leftFromList.Count == 0, "purge left: " + string.Join(", ", leftFromList));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- commands:\n{log}", ex);
        }
        finally
        {
            client?.Dispose();
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: false);
                server.WaitForExit(10_000);
            }

            server?.Dispose();
            lab?.Dispose();
            CleanUp(userExisted);
            Directory.Delete(work, recursive: true);
        }
    }

    [LintianFact]
    public void LintianReportsNoErrorsOrWarnings()
    {
        var (code, output) = Sh(new StringBuilder(), "lintian", "--fail-on", "error,warning", Deb.Value);
        Assert.True(code == 0, output);
    }

    /// <summary>Leaves the machine as it was: no package, none of its paths, no user the test made.</summary>
    private static void CleanUp(bool userExisted)
    {
        if (Sh("dpkg-query", "-W", "-f=${Status}", Package) is { ExitCode: 0, Output: var state } && !state.Contains("not-installed", StringComparison.Ordinal))
        {
            Sh("dpkg", "--purge", Package);
        }

        // Before the test none of these existed (else it was skipped), so whatever is here now is the test's.
        foreach (var path in OwnPaths.Where(Exists))
        {
            if (Directory.Exists(path) && !IsSymlink(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }

        if (!userExisted)
        {
            Sh("userdel", User);
            if (Sh("getent", "group", User).ExitCode == 0)
            {
                Sh("groupdel", User);
            }
        }
    }

    private static Process StartServer(NetworkLab lab, string config, StringBuilder output)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "netns", "exec", lab.ServerNamespace, "setpriv", "--reuid", User, "--regid", User, "--init-groups",
            "--inh-caps=-all,+net_bind_service", "--ambient-caps=+net_bind_service", "--bounding-set=-all,+net_bind_service",
            "--no-new-privs", "/usr/sbin/pukeko-dhcp6", "-c", config,
        })
        {
            info.ArgumentList.Add(arg);
        }

        // "ip netns exec", setpriv and the wrapper each exec the next: the process is the server itself.
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string ServedConfig(string iface) => $$"""
        { "Dhcp6": {
          "interfaces-config": { "interfaces": [ "{{iface}}" ] },
          "lease-database": { "type": "memfile", "name": "kea-leases6.csv" },
          "control-sockets": [ { "socket-type": "unix", "socket-name": "kea6-ctrl-socket" } ],
          "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "{{iface}}",
                         "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ]
        } }
        """;

    private static string FindOrBuildDeb()
    {
        if (Environment.GetEnvironmentVariable("PUKEKO_DEB") is { Length: > 0 } given)
        {
            Assert.True(File.Exists(given), $"PUKEKO_DEB={given} does not exist");
            return given;
        }

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Pukeko.slnx")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var (code, output) = Sh(new StringBuilder(), TimeSpan.FromMinutes(20), null, Path.Combine(root.FullName, "scripts", "build-deb.sh"));
        Assert.True(code == 0, output);
        // The script prints the package's path last on stdout; stderr (lintian's "running with root privileges"
        // notice) arrives on its own pipe and may be read after it.
        var deb = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.EndsWith(".deb", StringComparison.Ordinal) && File.Exists(l));
        Assert.True(deb is not null, "build-deb.sh named no package:\n" + output);
        return deb;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || IsSymlink(path);

    private static bool IsSymlink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & UnixFileMode.OtherExecute) != 0;

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Checked(StringBuilder log, string file, params string[] args) => Checked(log, null, file, args);

    private static string Checked(StringBuilder log, Dictionary<string, string>? environment, string file, params string[] args)
    {
        var (code, output) = Sh(log, TimeSpan.FromMinutes(5), environment, file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} failed ({code}): {output}");
        return output.Trim();
    }

    private static (int ExitCode, string Output) Sh(string file, params string[] args) => Sh(new StringBuilder(), TimeSpan.FromMinutes(5), null, file, args);

    private static (int ExitCode, string Output) Sh(StringBuilder log, string file, params string[] args) => Sh(log, TimeSpan.FromMinutes(5), null, file, args);

    /// <summary>Runs a command to its end (dpkg and a package build take longer than <see cref="Run"/> allows).</summary>
    private static (int ExitCode, string Output) Sh(StringBuilder log, TimeSpan timeout, Dictionary<string, string>? environment, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }

        var output = stdout.Result + stderr.Result;
        log.Append("$ ").Append(file).Append(' ').AppendJoin(' ', args).Append(" -> ").Append(process.ExitCode).Append('\n');
        return (process.ExitCode, output);
    }
}

/// <summary>
/// A test that installs and purges the package: it needs root and dpkg, and is skipped when this machine
/// already has a pukeko-dhcp6 package or any of its paths, which the test must not replace or remove.
/// </summary>
internal sealed class DebianPackageFactAttribute : FactAttribute
{
    public DebianPackageFactAttribute()
    {
        Skip = WhyNot();
    }

    internal static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/dpkg"))
        {
            return "needs a Debian system (dpkg)";
        }

        if (Environment.UserName != "root")
        {
            return "needs root (dpkg -i)";
        }

        var (code, output) = Run.Command("dpkg-query", "-W", "-f=${Status}", "pukeko-dhcp6");
        if (code == 0 && !output.Contains("not-installed", StringComparison.Ordinal))
        {
            return $"a pukeko-dhcp6 package is already on this machine ({output.Trim()}); the test will not replace it";
        }

        var present = DebianPackageTests.OwnPaths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        return present.Count > 0 ? $"{string.Join(", ", present)} already exist without the package; the test will not remove them" : null;
    }
}

/// <summary>Lintian on the package, when lintian is installed (apt-get install lintian).</summary>
internal sealed class LintianFactAttribute : FactAttribute
{
    public LintianFactAttribute()
    {
        Skip = File.Exists("/usr/bin/lintian") ? null : "lintian is not installed (apt-get install lintian)";
    }
}
