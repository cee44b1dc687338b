using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Logging;

namespace Pukeko.Server.Tests.Logging;

public sealed partial class KeaFileOutputTests
{
    [GeneratedRegex(@"^2025-03-04 12:05:06\.789 INFO  \[kea-dhcp6\.(dhcp6|packets)/4242\.7\] LINE_(\d+)_(\d+) (x+)$")]
    private static partial Regex Line();

    private static KeaLoggerSpec RootTo(string path, long maxSize = 0, int maxVer = 1, bool flush = true) =>
        new(KeaLoggers.Root, "INFO", 0, [new KeaOutputSpec(path, flush, maxSize, maxVer)]);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void File_output_appends_and_is_created_0640()
    {
        using var dir = new TempDir();
        string path = dir.File("kea.log");
        File.WriteAllText(path, "existing\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string fresh = dir.File("fresh.log");

        using (KeaLoggerProvider provider = Harness.Create(out _, out _))
        {
            provider.Apply([
                RootTo(path),
                new KeaLoggerSpec(KeaLoggers.Packets, "INFO", 0, [new KeaOutputSpec(fresh)]),
            ]);
            KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "0.1.0");
            KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Packets), "0.1.0");
            // flush: true => visible before dispose
            Assert.EndsWith("started\n", File.ReadAllText(path), StringComparison.Ordinal);
        }

        Assert.Equal(
            "existing\n2025-03-04 12:05:06.789 INFO  [kea-dhcp6.dhcp6/4242.7] DHCP6_STARTED Kea DHCPv6 server version 0.1.0 started\n",
            File.ReadAllText(path));
        // Created 0640 (the process umask can only remove bits).
        UnixFileMode mode = File.GetUnixFileMode(fresh);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.Equal(UnixFileMode.None, mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
    }

    [Fact]
    public void Unflushed_output_is_written_on_flush_and_reconfiguration()
    {
        using var dir = new TempDir();
        string path = dir.File("buffered.log");
        using KeaLoggerProvider provider = Harness.Create(out _, out _);
        provider.Apply([RootTo(path, flush: false)]);
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "1");
        provider.Flush();
        Assert.Single(Harness.Lines(File.ReadAllText(path)));
        KeaLogMessagesExample.Started(provider.CreateLogger(KeaLoggers.Dhcp6), "2");
        provider.Apply([]);
        Assert.Equal(2, Harness.Lines(File.ReadAllText(path)).Length);
    }

    [Fact]
    public void Rotation_by_maxsize_keeps_maxver_versions()
    {
        using var dir = new TempDir();
        string path = dir.File("kea.log");
        using KeaLoggerProvider provider = Harness.Create(out _, out _, minRotation: 0);
        provider.Apply([RootTo(path, maxSize: 1000, maxVer: 2)]);
        ILogger log = provider.CreateLogger(KeaLoggers.Dhcp6);

        // Each line is exactly 100 bytes; the file rotates once it exceeds 1000 bytes (11 lines).
        string prefix = "2025-03-04 12:05:06.789 INFO  [kea-dhcp6.dhcp6/4242.7] ";
        for (int i = 0; i < 40; i++)
        {
            string id = $"LINE_0_{i:D2}";
            log.LogKea(LogLevel.Information, id, new string('x', 100 - prefix.Length - id.Length - 2));
        }

        Assert.False(File.Exists(path + ".3"));
        string[] current = Harness.Lines(File.ReadAllText(path));
        string[] v1 = Harness.Lines(File.ReadAllText(path + ".1"));
        string[] v2 = Harness.Lines(File.ReadAllText(path + ".2"));
        Assert.Equal(11, v1.Length);
        Assert.Equal(11, v2.Length);
        Assert.Equal(40 - 33, current.Length);
        Assert.Contains("LINE_0_11 ", v2[0], StringComparison.Ordinal);
        Assert.Contains("LINE_0_22 ", v1[0], StringComparison.Ordinal);
        Assert.Contains("LINE_0_39 ", current[^1], StringComparison.Ordinal);
        Assert.All(v1.Concat(v2).Concat(current), l => Assert.Matches(Line(), l));
    }

    [Fact]
    public void Minimum_rotation_size_and_maxsize_zero_disable_small_rotations()
    {
        using var dir = new TempDir();
        string a = dir.File("a.log"), b = dir.File("b.log");
        using KeaLoggerProvider provider = Harness.Create(out _, out _); // default minimum 204800
        provider.Apply([
            RootTo(a, maxSize: 1000),
            new KeaLoggerSpec(KeaLoggers.Packets, "INFO", 0, [new KeaOutputSpec(b, MaxSize: 0)]),
        ]);
        for (int i = 0; i < 50; i++)
        {
            provider.CreateLogger(KeaLoggers.Dhcp6).LogKea(LogLevel.Information, "LINE_0_0", new string('x', 60));
            provider.CreateLogger(KeaLoggers.Packets).LogKea(LogLevel.Information, "LINE_0_0", new string('x', 60));
        }
        Assert.False(File.Exists(a + ".1"));
        Assert.False(File.Exists(b + ".1"));
        Assert.Equal(50, Harness.Lines(File.ReadAllText(a)).Length);
    }

    [Fact]
    public void Swapping_configuration_while_threads_log_loses_and_tears_no_line()
    {
        using var dir = new TempDir();
        string a = dir.File("a.log"), b = dir.File("b.log");
        var stdout = new StringWriter();
        using KeaLoggerProvider provider = Harness.Create(out stdout, out _);
        KeaLoggerSpec[] configA = [RootTo(a)];
        KeaLoggerSpec[] configB = [RootTo(b), new KeaLoggerSpec(KeaLoggers.Packets, "DEBUG", 99, [new KeaOutputSpec(a)])];
        provider.Apply(configA);

        const int Threads = 6, PerThread = 1500;
        using var start = new Barrier(Threads + 1);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                ILogger log = provider.CreateLogger(t % 2 == 0 ? KeaLoggers.Dhcp6 : KeaLoggers.Packets);
                start.SignalAndWait();
                for (int i = 0; i < PerThread; i++)
                {
                    log.LogKea(LogLevel.Information, $"LINE_{t}_{i}", new string('x', 10 + (i % 50)));
                }
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        int swaps = 0;
        while (workers.Any(w => w.IsAlive))
        {
            provider.Apply(swaps++ % 2 == 0 ? configB : configA);
            Thread.Yield();
        }
        workers.ForEach(w => w.Join());
        provider.Flush();

        Assert.Empty(errors);
        Assert.True(swaps > 1);
        string[] lines = Harness.Lines(File.ReadAllText(a)).Concat(Harness.Lines(File.ReadAllText(b))).ToArray();
        Assert.All(lines, l => Assert.Matches(Line(), l));
        Assert.Equal(Threads * PerThread, lines.Length);
        var seen = new HashSet<string>(lines.Select(l => Line().Match(l)).Select(m => m.Groups[2].Value + "_" + m.Groups[3].Value));
        Assert.Equal(Threads * PerThread, seen.Count);
        Assert.Equal(string.Empty, stdout.ToString());
    }
}
