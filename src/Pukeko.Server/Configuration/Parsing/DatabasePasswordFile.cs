using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Kea 3.3's <c>password-file</c> in <c>lease-database</c> and <c>hosts-database(s)</c>: the password is the first
/// line of that file, and the key excludes <c>password</c>. Kea opens the name as given (a relative name is relative
/// to the server's working directory, not to its data directory), and so does Pukeko. The file is read when the
/// configuration is read, so a bad file fails the configuration with the key's path.
/// </summary>
internal static class DatabasePasswordFile
{
    /// <summary>The access with the file's password, or the access unchanged without a file; null after an error.</summary>
    public static SqlDatabaseAccess? Apply(SqlDatabaseAccess access, JsonElement map, string path, ParseContext context)
    {
        if (map.TryGetProperty("password", out _) && map.TryGetProperty("password-file", out _))
        {
            context.Error(path, "can't specify both 'password' and 'password-file'");
            return null;
        }

        if (access.PasswordFile is not { } file)
        {
            return access;
        }

        var keyPath = ParseContext.Child(path, "password-file");
        if (Directory.Exists(file))
        {
            context.Error(keyPath, $"expected '{file}' to be a regular file");
            return null;
        }

        if (!File.Exists(file))
        {
            context.Error(keyPath, $"expected a file at path '{file}'");
            return null;
        }

        try
        {
            using var reader = new StreamReader(file);
            return access with { Password = reader.ReadLine() ?? string.Empty };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error(keyPath, $"cannot open '{file}': {ex.Message}");
            return null;
        }
    }
}
