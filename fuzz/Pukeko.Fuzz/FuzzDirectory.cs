namespace Pukeko.Fuzz;

/// <summary>
/// One scratch directory per fuzzing process, under TMPDIR (scripts/fuzz.sh points that at its own temporary
/// directory and removes it). Holds the Kea directories the configuration is checked against, the files the
/// config seeds include, and the lease file the loader target reads.
/// </summary>
internal static class FuzzDirectory
{
    private static readonly Lazy<string> RootPath = new(Create);

    public static string Root => RootPath.Value;

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Removes the directory after a replay; under afl-fuzz the process is killed and fuzz.sh cleans up.</summary>
    public static void DeleteIfCreated()
    {
        if (RootPath.IsValueCreated)
        {
            Directory.Delete(RootPath.Value, recursive: true);
        }
    }

    private static string Create()
    {
        var root = Directory.CreateTempSubdirectory("pukeko-fuzz-").FullName;
        foreach (var sub in new[] { "etc", "data", "log", "run", "hooks" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, sub));
        }

        // Targets of the <?include?> directives in fuzz/corpus/config: a fragment and a nested include.
        File.WriteAllText(System.IO.Path.Combine(root, "etc", "subnets.json"),
            """[ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ] } ]""");
        File.WriteAllText(System.IO.Path.Combine(root, "etc", "globals.json"),
            "\"valid-lifetime\": 4000, # Kea comment\n\"subnet6\": <?include \"subnets.json\"?>,");
        return root;
    }
}
