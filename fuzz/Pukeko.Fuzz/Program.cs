using Pukeko.Fuzz;

// Usage: Pukeko.Fuzz <target>            run under afl-fuzz (persistent, in-process)
//        Pukeko.Fuzz <target> <file>...  replay inputs once each, outside afl-fuzz (crash triage, corpus checks)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Pukeko.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [input-file...]");
    return 2;
}

if (args.Length > 1)
{
    try
    {
        foreach (var file in args.AsSpan(1))
        {
            target(File.ReadAllBytes(file));
        }
    }
    finally
    {
        FuzzDirectory.DeleteIfCreated();
    }

    return 0;
}

// Fuzzer.Run keeps this process alive between inputs (AFL persistent mode): start-up and JIT are paid once,
// which is what makes a .NET target fast enough to fuzz. The stream holds one input.
SharpFuzz.Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
