using System.Globalization;
using System.Text;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// How the files of one lease file set look from outside (which exist, their sizes and modification
/// times, the cleanup pid file's content), to tell whether anything wrote to the set while it was
/// read: a store appending, or a lease file cleanup rotating or merging. Reconfiguration uses it
/// when a second store has to read the file the running store still owns.
/// </summary>
internal sealed record LeaseFileFingerprint(string Signature, bool OwnCleanupRunning)
{
    public static LeaseFileFingerprint Of(string currentFile)
    {
        var files = new LeaseFileSet(Path.GetFullPath(currentFile));
        var signature = new StringBuilder();
        foreach (var path in new[] { files.Current, files.Input, files.Previous, files.Output, files.Finished })
        {
            var info = new FileInfo(path);
            signature.Append(info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks}" : "-").Append('|');
        }

        var holder = ReadPid(files.Pid);
        signature.Append(holder ?? "-");
        var own = holder == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return new LeaseFileFingerprint(signature.ToString(), own);
    }

    private static string? ReadPid(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
