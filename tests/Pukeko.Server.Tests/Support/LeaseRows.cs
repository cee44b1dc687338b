using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.Tests.Support;

/// <summary>Lease ⇄ CSV row helpers; the row text doubles as a full-field equality for leases.</summary>
internal static class LeaseRows
{
    public static string Row(Lease6 lease) => LeaseCsvFormatter.FormatRow(lease);

    public static Lease6 Parse(string row, int columns = 18)
    {
        Assert.True(LeaseCsvRowParser.TryParse(row, columns, out var lease, out var error, out _), error);
        return lease!;
    }

    public static string[] Rows(IEnumerable<Lease6> leases) =>
        leases.OrderBy(l => l.Address).Select(Row).ToArray();
}
