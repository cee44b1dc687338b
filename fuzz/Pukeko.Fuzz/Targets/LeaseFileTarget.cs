using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Commands;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// A hostile memfile lease file (CSV) loaded as the server does at start-up and after LFC. Bad rows are skipped with
/// a warning; a bad header or too many bad rows is a <see cref="LeaseFileException"/>, which the server reports as
/// a lease-database error. A loaded lease must show in <c>lease6-get</c>'s answer, and every lease that loads must also survive the next lease file cleanup: written back as a
/// row, it must read back as the same row, or LFC would lose or fail on it.
/// </summary>
internal static class LeaseFileTarget
{
    private static readonly Lazy<string> File = new(() => FuzzDirectory.Path("data/leases.csv"));

    public static void Run(byte[] input)
    {
        System.IO.File.WriteAllBytes(File.Value, input);
        var leases = new Dictionary<Ipv6Address, Lease6>();
        try
        {
            LeaseFileLoader.Load(File.Value, leases, maxRowErrors: 0, NullLogger.Instance);
        }
        catch (LeaseFileException)
        {
            return;
        }

        foreach (var lease in leases.Values)
        {
            // What lease6-get answers for it; the socket listener serializes the answer outside the dispatcher's care.
            _ = CommandJson.Serialize(LeaseJson.ToJson(lease));

            var row = LeaseCsvFormatter.FormatRow(lease);
            if (!LeaseCsvRowParser.TryParse(row, LeaseCsvSchema.ColumnCount, out var reread, out var error, out _))
            {
                throw new InvariantViolationException($"a loaded lease does not read back after LFC: {row}: {error}");
            }

            var again = LeaseCsvFormatter.FormatRow(reread!);
            if (again != row)
            {
                throw new InvariantViolationException($"a loaded lease changes when LFC rewrites it: {row} -> {again}");
            }
        }
    }
}
