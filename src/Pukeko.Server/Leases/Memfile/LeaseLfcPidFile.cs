using System.Diagnostics;
using System.Globalization;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// The <c>name.pid</c> lock of the LFC protocol: it tells Kea's kea-lfc (or another Pukeko) that a
/// cleanup of this file set is in progress. A pid file whose process is gone is stale and ignored.
/// </summary>
internal static class LeaseLfcPidFile
{
    /// <summary>The pid of another live process holding the file, or null.</summary>
    public static int? ForeignHolder(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
        {
            return null;
        }

        return IsAlive(pid) ? pid : null;
    }

    /// <summary>Writes our pid; false if another live process holds the lock.</summary>
    public static bool TryAcquire(string path)
    {
        if (ForeignHolder(path) is not null)
        {
            return false;
        }

        File.WriteAllText(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return true;
    }

    public static void Release(string path) => File.Delete(path);

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
