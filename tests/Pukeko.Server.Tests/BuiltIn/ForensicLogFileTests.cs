using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>Forensic log file names, rotation and its scripts, continuation of an existing file, line rendering and timestamps.</summary>
[SupportedOSPlatform("linux")]
public sealed class ForensicLogFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 30, 23, 59, 58, TimeSpan.Zero));

    public ForensicLogFileTests() => _time.SetLocalTimeZone(TimeZoneInfo.Utc);

    public void Dispose() => _dir.Dispose();

    private ForensicLogOptions Options(ForensicTimeUnit unit = ForensicTimeUnit.Day, uint count = 1) =>
        new() { Directory = _dir.Path, TimeUnit = unit, Count = count, TimestampFormat = "%F %T" };

    private string[] Files() => [.. Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void Day_month_and_year_files_are_named_by_date_second_files_by_unix_time()
    {
        var start = new DateTimeOffset(2026, 1, 30, 10, 0, 0, TimeSpan.Zero);
        Assert.EndsWith("/kea-legal.20260130.txt", ForensicLogFile.NameFor(Options(), start), StringComparison.Ordinal);
        Assert.EndsWith("/kea-legal.20260130.txt", ForensicLogFile.NameFor(Options(ForensicTimeUnit.Year), start), StringComparison.Ordinal);
        Assert.EndsWith("/kea-legal.T00000000001769767200.txt", ForensicLogFile.NameFor(Options(ForensicTimeUnit.Second), start), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_line_has_the_timestamp_and_a_new_day_starts_a_new_file()
    {
        using (var file = new ForensicLogFile(Options(), _time))
        {
            file.Write("first");
            _time.Advance(TimeSpan.FromSeconds(3));
            file.Write("second");
        }

        Assert.Equal(["kea-legal.20260130.txt", "kea-legal.20260131.txt"], Files());
        Assert.Equal("2026-01-30 23:59:58 first\n", File.ReadAllText(Path.Combine(_dir.Path, "kea-legal.20260130.txt")));
        Assert.Equal("2026-01-31 00:00:01 second\n", File.ReadAllText(Path.Combine(_dir.Path, "kea-legal.20260131.txt")));
    }

    [Fact]
    public void Count_zero_never_rotates_and_count_two_waits_two_units()
    {
        using (var file = new ForensicLogFile(Options(count: 0), _time))
        {
            file.Write("a");
            _time.Advance(TimeSpan.FromDays(40));
            file.Write("b");
        }

        Assert.Equal(["kea-legal.20260130.txt"], Files());

        using (var file = new ForensicLogFile(Options(ForensicTimeUnit.Second, count: 2) with { BaseName = "s" }, _time))
        {
            file.Write("a");
            _time.Advance(TimeSpan.FromSeconds(1));
            file.Write("b");
            _time.Advance(TimeSpan.FromSeconds(1));
            file.Write("c");
            Assert.Equal(Path.Combine(_dir.Path, $"s.T{_time.GetUtcNow().ToUnixTimeSeconds():D20}.txt"), file.FileName);
        }

        Assert.Equal(2, Files().Count(f => f.StartsWith("s.T", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_restart_continues_the_newest_file_whose_period_has_not_ended()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "kea-legal.20260101.txt"), "old\n");
        File.WriteAllText(Path.Combine(_dir.Path, "kea-legal.20251201.txt"), "older\n");
        File.WriteAllText(Path.Combine(_dir.Path, "kea-legal.2026010.txt"), "not ours\n");
        using (var file = new ForensicLogFile(Options(ForensicTimeUnit.Month), _time))
        {
            file.Write("appended");
        }

        Assert.Equal("old\n2026-01-30 23:59:58 appended\n", File.ReadAllText(Path.Combine(_dir.Path, "kea-legal.20260101.txt")));

        // With day units the January 1st file's period is over: a file for today is started.
        using (var file = new ForensicLogFile(Options(), _time))
        {
            file.Write("today");
        }

        Assert.Contains("kea-legal.20260130.txt", Files());
    }

    [Fact]
    public void A_multi_line_entry_marks_its_continuation_lines_unless_told_not_to()
    {
        Assert.Equal("TS-one\nTS-two\nTS three\n", ForensicLogFile.Render("one\ntwo\nthree", "TS", markContinuationLines: true));
        Assert.Equal("TS one\nTS two\n", ForensicLogFile.Render("one\ntwo\n", "TS", markContinuationLines: false));
        Assert.Equal("TS single\n", ForensicLogFile.Render("single", "TS", markContinuationLines: true));
    }

    [Fact]
    public void Timestamps_follow_strftime_with_kea_microseconds()
    {
        var t = new DateTimeOffset(2026, 7, 4, 3, 2, 1, TimeSpan.FromHours(2)).AddTicks(1_234_560);
        Assert.Equal("2026-07-04 03:02:01 CEST", Strftime.Format(ForensicLogOptions.DefaultTimestampFormat, t, "CEST"));
        Assert.Equal("03:02:01.123.456 +0200 Sat Jul  4 %", Strftime.Format("%T.%Q %z %a %b %e %%", t, "X"));
        Assert.Equal("185 20260704 1783126921", Strftime.Format("%j %Y%m%d %s", t, "X"));
    }

    [Fact]
    public void Zone_abbreviations_come_from_the_posix_rule()
    {
        Assert.Equal(("CET", "CEST"), LocalZoneName.ParseRule("CET-1CEST,M3.5.0,M10.5.0/3"));
        Assert.Equal(("UTC", null), LocalZoneName.ParseRule("UTC0"));
        Assert.Equal(("+13", null), LocalZoneName.ParseRule("<+13>-13"));
        Assert.Equal(("NZST", "NZDT"), LocalZoneName.ParseRule("NZST-12NZDT,M9.5.0,M4.1.0/3"));
    }

    [Fact]
    public void Rotation_runs_prerotate_with_the_closed_file_and_postrotate_with_the_new_one()
    {
        var record = Path.Combine(_dir.Path, "scripts.out");
        var prerotate = Script("pre", record);
        var postrotate = Script("post", record);
        var options = Options() with { Directory = Path.Combine(_dir.Path, "log"), Prerotate = prerotate, Postrotate = postrotate };
        Directory.CreateDirectory(options.Directory);
        using (var file = new ForensicLogFile(options, _time))
        {
            file.Write("first");
            file.Write("same day: no rotation, no script");
            _time.Advance(TimeSpan.FromSeconds(3));
            file.Write("second");
        }

        // The scripts are not waited for (Kea spawns them asynchronously), so they may finish in either order: poll,
        // bounded, and compare sorted.
        var lines = WaitForLines(record, 2);
        Assert.Equal(
            [$"post {Path.Combine(options.Directory, "kea-legal.20260131.txt")}", $"pre {Path.Combine(options.Directory, "kea-legal.20260130.txt")}"],
            lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_rotation_script_that_cannot_run_is_logged_and_the_entry_is_still_written()
    {
        var logs = new CapturingLoggers();
        var missing = Path.Combine(_dir.Path, "no-such-script");
        using (var file = new ForensicLogFile(Options() with { Prerotate = missing }, _time, logs.CreateLogger("legal")))
        {
            file.Write("first");
            _time.Advance(TimeSpan.FromSeconds(3));
            file.Write("second");
        }

        Assert.Equal("2026-01-31 00:00:01 second\n", File.ReadAllText(Path.Combine(_dir.Path, "kea-legal.20260131.txt")));
        var error = Assert.Single(logs.Entries, e => e.EventName == "LEGAL_LOG_ROTATE_SCRIPT_ERROR");
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    /// <summary>An executable script that appends its tag and first argument to <paramref name="record"/>.</summary>
    private string Script(string tag, string record)
    {
        var path = Path.Combine(_dir.Path, tag + ".sh");
        File.WriteAllText(path, $"#!/bin/sh\necho \"{tag} $1\" >> '{record}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string[] WaitForLines(string path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string[] lines = [];
        while (DateTime.UtcNow < deadline)
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
            if (lines.Length >= count)
            {
                return lines;
            }

            Thread.Sleep(50);
        }

        return lines;
    }
}
