namespace Pukeko.Daemon.Hosting;

/// <summary>
/// Kea's PID file, <c>&lt;config name&gt;.kea-dhcp6.pid</c> in <c>KEA_PIDFILE_DIR</c> (default
/// /run/kea), removed on exit. Best effort: a server that cannot write it still serves.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string? _path;

    private PidFile(string? path) => _path = path;

    public static PidFile Create(string configFile)
    {
        var directory = Environment.GetEnvironmentVariable("KEA_PIDFILE_DIR") is { Length: > 0 } dir ? dir : "/run/kea";
        var name = Path.GetFileNameWithoutExtension(configFile) + ".kea-dhcp6.pid";
        var path = Path.Combine(directory, name);
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, Environment.ProcessId + "\n");
            return new PidFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PidFile(null);
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
