using System.Text;

namespace Pukeko.Server.Tests.Support;

/// <summary>A private temporary directory for lease file tests, deleted on dispose.</summary>
public sealed class LeaseTestDirectory : IDisposable
{
    public LeaseTestDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "pukeko-leases-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The current lease file path (Kea's default name).</summary>
    public string LeaseFile => Path.Combine(Root, "kea-leases6.csv");

    public string File(string suffix) => LeaseFile + suffix;

    /// <summary>Writes lines joined with '\n' plus a trailing '\n', as Kea does.</summary>
    public void Write(string suffix, params string[] lines) =>
        System.IO.File.WriteAllText(File(suffix), string.Join('\n', lines) + "\n", Encoding.ASCII);

    public string[] ReadLines(string suffix) => System.IO.File.ReadAllLines(File(suffix));

    public bool Exists(string suffix) => System.IO.File.Exists(File(suffix));

    /// <summary>Names of files present, sorted, for asserting the LFC file-name protocol.</summary>
    public string[] FileNames() =>
        Directory.GetFiles(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
