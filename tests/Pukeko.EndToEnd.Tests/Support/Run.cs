using System.Diagnostics;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>Runs short commands (ip, sysctl) and checks they worked.</summary>
internal static class Run
{
    public static (int ExitCode, string Output) Command(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 30 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public static string Checked(string file, params string[] args)
    {
        var (code, output) = Command(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
        }

        return output;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the time is up.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return condition();
    }
}
