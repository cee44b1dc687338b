namespace Pukeko.Server.Hosting;

/// <summary>
/// Files the server creates are mode 0640, as Kea 3.x makes them (it runs with umask 027): the leases, logs and
/// identifiers in them are for the operator and the service's group, not for every local user.
/// </summary>
internal static class RestrictedFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>Stream options that create a missing file with <see cref="Mode"/>.</summary>
    public static FileStreamOptions Options(FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        return options;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) as the whole file, creating it with <see cref="Mode"/>.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var stream = new FileStream(path, Options(FileMode.Create, FileAccess.Write, FileShare.Read));
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Replaces the file at <paramref name="path"/> by a new one of mode 0640 through a temporary file and a rename.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, Options(FileMode.Create, FileAccess.Write, FileShare.None)))
        {
            stream.Write(bytes);
        }

        if (!OperatingSystem.IsWindows())
        {
            // An old temporary file keeps its mode through FileMode.Create; the new file must not.
            File.SetUnixFileMode(temporary, Mode);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
