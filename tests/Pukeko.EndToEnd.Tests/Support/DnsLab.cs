using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// BIND 9 (<c>named</c>) with a forward zone example.com and the reverse zone of 2001:db8::/32, both updatable with a
/// TSIG key, and Debian's <c>kea-dhcp-ddns</c> (Kea 2.2) in front of it listening for name-change requests on
/// 127.0.0.1:53001 — both in the server's namespace, files in a private directory (digest §4 recipe b).
/// </summary>
internal sealed partial class DnsLab : IDisposable
{
    public const string Named = "/usr/sbin/named";
    public const string KeaDhcpDdns = "/usr/sbin/kea-dhcp-ddns";
    public const string ReverseZone = "8.b.d.0.1.0.0.2.ip6.arpa";

    private readonly NetworkLab _lab;
    private Process? _named;
    private Process? _d2;

    private DnsLab(NetworkLab lab, string directory)
    {
        _lab = lab;
        Directory = directory;
    }

    public string Directory { get; }

    public string D2Log => Path.Combine(Directory, "d2.log");

    public static DnsLab Start(NetworkLab lab, string directory)
    {
        foreach (var tool in new[] { Named, KeaDhcpDdns, "/usr/bin/dig", "/usr/sbin/tsig-keygen" })
        {
            if (!File.Exists(tool))
            {
                throw new FileNotFoundException("DNS tools missing: apt-get install bind9 bind9-utils bind9-dnsutils kea-dhcp-ddns-server (scripts/test.sh does)", tool);
            }
        }

        var dns = new DnsLab(lab, directory);
        try
        {
            dns.StartNamed();
            dns.StartD2();
            return dns;
        }
        catch
        {
            dns.Dispose();
            throw;
        }
    }

    private void StartNamed()
    {
        var key = Run.Checked("tsig-keygen", "-a", "hmac-sha256", "kea-key");
        Secret = SecretPattern().Match(key).Groups[1].Value;
        File.WriteAllText(Path.Combine(Directory, "kea-key.conf"), key);
        const string soa = "$TTL 3600\n@ IN SOA ns1.example.com. admin.example.com. ( 1 3600 600 86400 300 )\n  IN NS ns1.example.com.\n";
        File.WriteAllText(Path.Combine(Directory, "example.com.db"), soa + "ns1 IN AAAA ::1\n");
        File.WriteAllText(Path.Combine(Directory, "rev.db"), soa);
        File.WriteAllText(Path.Combine(Directory, "named.conf"), $$"""
            include "{{Directory}}/kea-key.conf";
            options { directory "{{Directory}}"; pid-file "{{Directory}}/named.pid"; listen-on port 53 { 127.0.0.1; };
                      listen-on-v6 { none; }; recursion no; dnssec-validation no; allow-query { any; }; };
            controls { };
            zone "example.com" { type primary; file "{{Directory}}/example.com.db"; allow-update { key "kea-key"; }; };
            zone "{{ReverseZone}}" { type primary; file "{{Directory}}/rev.db"; allow-update { key "kea-key"; }; };
            """);
        _named = StartInNamespace([Named, "-g", "-c", Path.Combine(Directory, "named.conf")], []);
        if (!Run.WaitFor(() => Dig("ns1.example.com", "AAAA") == "::1" || _named.HasExited, TimeSpan.FromSeconds(20)) || _named.HasExited)
        {
            throw new InvalidOperationException("named did not start");
        }
    }

    private void StartD2()
    {
        var config = Path.Combine(Directory, "d2.json");
        File.WriteAllText(config, $$"""
            { "DhcpDdns": { "ip-address": "127.0.0.1", "port": 53001, "dns-server-timeout": 500,
              "ncr-protocol": "UDP", "ncr-format": "JSON",
              "control-socket": { "socket-type": "unix", "socket-name": "{{Directory}}/d2.sock" },
              "tsig-keys": [ { "name": "kea-key", "algorithm": "HMAC-SHA256", "secret": "{{Secret}}" } ],
              "forward-ddns": { "ddns-domains": [ { "name": "example.com.", "key-name": "kea-key",
                                  "dns-servers": [ { "ip-address": "127.0.0.1", "port": 53 } ] } ] },
              "reverse-ddns": { "ddns-domains": [ { "name": "{{ReverseZone}}.", "key-name": "kea-key",
                                  "dns-servers": [ { "ip-address": "127.0.0.1", "port": 53 } ] } ] },
              "loggers": [ { "name": "kea-dhcp-ddns", "severity": "DEBUG", "debuglevel": 40,
                             "output_options": [ { "output": "{{D2Log}}" } ] } ] } }
            """);
        StartD2Process();
    }

    /// <summary>(Re)starts kea-dhcp-ddns with the configuration written at start-up.</summary>
    public void StartD2Process()
    {
        var before = File.Exists(D2Log) ? File.ReadAllText(D2Log).Length : 0;
        _d2 = StartInNamespace([KeaDhcpDdns, "-c", Path.Combine(Directory, "d2.json")],
            new() { ["KEA_PIDFILE_DIR"] = Directory, ["KEA_LOCKFILE_DIR"] = Directory, ["KEA_LOG_FILE_DIR"] = Directory });
        if (!Run.WaitFor(() => D2LogSince(before).Contains("DHCP_DDNS_STARTED", StringComparison.Ordinal) || _d2.HasExited, TimeSpan.FromSeconds(20)) || _d2.HasExited)
        {
            throw new InvalidOperationException("kea-dhcp-ddns did not start: " + D2LogSince(before));
        }
    }

    public void StopD2Process() => Stop(ref _d2);

    public string Secret { get; private set; } = "";

    public string D2LogSince(int offset) => File.Exists(D2Log) ? File.ReadAllText(D2Log)[offset..] : "";

    /// <summary><c>dig +short</c> against named, inside the namespace; the answer lines joined by spaces.</summary>
    public string Dig(string name, string type)
    {
        var (code, output) = Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "dig", "@127.0.0.1", "+short", "+time=2", "+tries=1", name, type);
        return code == 0 ? string.Join(' ', output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : $"dig failed: {output}";
    }

    /// <summary>The TTL of the first answer record, from <c>dig +noall +answer</c>; -1 when there is none.</summary>
    public int Ttl(string name, string type)
    {
        var (_, output) = Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "dig", "@127.0.0.1", "+noall", "+answer", "+time=2", "+tries=1", name, type);
        var fields = output.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) ? ttl : -1;
    }

    /// <summary>The ip6.arpa name of an address (for PTR and the reverse DHCID).</summary>
    public static string ReverseName(string address)
    {
        var bytes = System.Net.IPAddress.Parse(address).GetAddressBytes();
        var nibbles = bytes.SelectMany(b => new[] { b >> 4, b & 0xf }).Reverse().Select(n => n.ToString("x", CultureInfo.InvariantCulture));
        return string.Join('.', nibbles) + ".ip6.arpa";
    }

    private Process StartInNamespace(string[] command, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in (string[])["netns", "exec", _lab.ServerNamespace, .. command])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        // "ip netns exec" execs the daemon in place, so the process id is the daemon's own.
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(ref Process? process)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            Run.Command("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }

        process.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Stop(ref _d2);
        Stop(ref _named);
    }

    [GeneratedRegex("secret \"([^\"]+)\"")]
    private static partial Regex SecretPattern();
}
