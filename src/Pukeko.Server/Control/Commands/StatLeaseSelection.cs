using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Server.Control.Commands;

/// <summary>The subnets a <c>stat-lease*-get</c> asks for, with Kea's argument rules and texts.</summary>
internal sealed record StatLeaseSelection(StatLeaseSelection.SelectMode Mode, long First, long Last)
{
    internal enum SelectMode
    {
        AllSubnets,
        SingleSubnet,
        SubnetRange,
    }

    /// <summary>The first id as Kea prints it: 0 when every subnet was asked for.</summary>
    public long ReportedFirst => Mode == SelectMode.AllSubnets ? 0 : First;

    /// <summary>The last id as Kea prints it: 0 unless a range was asked for.</summary>
    public long ReportedLast => Mode == SelectMode.SubnetRange ? Last : 0;

    /// <summary>Kea's reason when the selection holds no configured subnet.</summary>
    public string NoSubnetsReason => Mode == SelectMode.SingleSubnet
        ? string.Create(CultureInfo.InvariantCulture, $"subnet-id: {First} does not exist")
        : string.Create(CultureInfo.InvariantCulture, $"selected ID range: {ReportedFirst} through {ReportedLast} includes no known subnets");

    /// <summary>Kea's rendering of the selection in texts and log lines.</summary>
    public string Text => Mode switch
    {
        SelectMode.SingleSubnet => string.Create(CultureInfo.InvariantCulture, $"[subnet-id={First}]"),
        SelectMode.SubnetRange => string.Create(CultureInfo.InvariantCulture, $"[subnets {First} through {Last}]"),
        _ => "[all subnets]",
    };

    public static StatLeaseSelection Parse(ControlCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var all = new StatLeaseSelection(SelectMode.AllSubnets, 0, uint.MaxValue);
        // Arguments that are not a map never get here: the dispatcher refuses them for every command.
        if (command.Arguments is not { } args)
        {
            return all;
        }

        var selection = all;
        if (args.TryGetPropertyValue("subnet-id", out var subnetId))
        {
            var id = Integer(subnetId) ?? throw new CommandArgumentException("'subnet-id' parameter is not integer");
            selection = id > 0
                ? new StatLeaseSelection(SelectMode.SingleSubnet, id, id)
                : throw new CommandArgumentException("'subnet-id' parameter must be > 0");
        }

        if (args.TryGetPropertyValue("subnet-range", out var rangeNode))
        {
            if (selection.Mode == SelectMode.SingleSubnet)
            {
                throw new CommandArgumentException("cannot specify both subnet-id and subnet-range");
            }

            if (rangeNode is not JsonObject range)
            {
                throw new CommandArgumentException("subnet-range parameter is not a map");
            }

            var first = RangeEnd(range, "first-subnet-id");
            var last = RangeEnd(range, "last-subnet-id");
            selection = last >= first
                ? new StatLeaseSelection(SelectMode.SubnetRange, first, last)
                : throw new CommandArgumentException("'last-subnet-id' must be greater than 'first-subnet-id'");
        }

        return selection;
    }

    private static long RangeEnd(JsonObject range, string name)
    {
        range.TryGetPropertyValue(name, out var node);
        var value = Integer(node) ?? throw new CommandArgumentException($"'{name}' parameter missing or not an integer");
        return value > 0 ? value : throw new CommandArgumentException($"'{name}' parameter must be > 0");
    }

    /// <summary>A JSON integer (not a real, a string or a boolean), as Kea's integer element.</summary>
    private static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var result)
            && !value.ToJsonString().AsSpan().ContainsAny(".eE")
            ? result
            : null;
}
