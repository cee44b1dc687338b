namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// A memfile lease file together with its LFC siblings (<c>.completed</c>, <c>.2</c>, <c>.1</c>),
/// read the way Kea loads them at startup (digest §4.2), so a test can see the leases a server
/// would come up with regardless of which file a conversion put them in.
/// </summary>
internal sealed class LeaseFileSet(string leaseFile)
{
    public string LeaseFile { get; } = leaseFile;

    /// <summary>The files that exist, in Kea's load order.</summary>
    public IEnumerable<string> Files
    {
        get
        {
            var completed = LeaseFile + ".completed";
            var candidates = File.Exists(completed) ? [completed, LeaseFile] : new[] { LeaseFile + ".2", LeaseFile + ".1", LeaseFile };
            return candidates.Where(File.Exists);
        }
    }

    /// <summary>Every file's first line (the CSV header), by file.</summary>
    public Dictionary<string, string> Headers() =>
        Files.ToDictionary(f => f, f => File.ReadLines(f).FirstOrDefault() ?? string.Empty);

    /// <summary>Every data row of every file, as written, in load order.</summary>
    public IEnumerable<string> RawRows() => Files.SelectMany(f => File.ReadLines(f).Skip(1)).Where(l => l.Length > 0);

    /// <summary>Live leases by address: later rows replace earlier ones, valid_lifetime 0 deletes.</summary>
    public Dictionary<string, Dictionary<string, string>> LiveLeases()
    {
        var live = new Dictionary<string, Dictionary<string, string>>();
        foreach (var file in Files)
        {
            foreach (var row in LeaseCsv.Rows(File.ReadAllLines(file)))
            {
                if (row["valid_lifetime"] == "0")
                {
                    live.Remove(row["address"]);
                }
                else
                {
                    live[row["address"]] = row;
                }
            }
        }

        return live;
    }
}
