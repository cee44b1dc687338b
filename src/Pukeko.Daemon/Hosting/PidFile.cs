using Pukeko.Server.Hosting;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// Kea's PID file, <c>&lt;config name&gt;.kea-dhcp6.pid</c> in <c>KEA_PIDFILE_DIR</c> (default
/// /run/kea), removed on exit. Best effort: a server that cannot write it still serves.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string? _path;

    private PidFile(string? path) => _path = path;

    /// <summary>
    /// Writes the PID file, unless a live server process already owns it: then returns null and
    /// that process's PID, so the caller can refuse to start (Kea's DHCP6_ALREADY_RUNNING) instead
    /// of a second server competing for the same packets.
    /// </summary>
    public static PidFile? Create(string configFile, out int runningPid)
    {
        runningPid = 0;
        var directory = Environment.GetEnvironmentVariable("KEA_PIDFILE_DIR") is { Length: > 0 } dir ? dir : "/run/kea";
        var name = Path.GetFileNameWithoutExtension(configFile) + ".kea-dhcp6.pid";
        var path = Path.Combine(directory, name);
        if (OwnerIfAlive(path) is { } owner)
        {
            runningPid = owner;
            return null;
        }

        try
        {
            Directory.CreateDirectory(directory);
            RestrictedFile.WriteAllText(path, Environment.ProcessId + "\n");
            return new PidFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PidFile(null);
        }
    }

    /// <summary>The PID in the file when that process is alive and runs the same program as we do (not a reused PID).</summary>
    private static int? OwnerIfAlive(string path)
    {
        try
        {
            if (!File.Exists(path) || !int.TryParse(File.ReadAllText(path).Trim(), out var pid) || pid == Environment.ProcessId)
            {
                return null;
            }

            var theirs = $"/proc/{pid}/comm";
            return File.Exists(theirs) && File.ReadAllText(theirs) == File.ReadAllText("/proc/self/comm") ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
