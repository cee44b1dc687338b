namespace Pukeko.Protocol.Options.Definitions;

/// <summary>
/// Describes one option as Kea does: name, code, option space, data layout, whether the value
/// repeats, the record fields, and the option space of encapsulated sub-options.
/// </summary>
public sealed record OptionDefinition(
    string Name,
    ushort Code,
    string Space,
    OptionDataType Type,
    bool IsArray = false,
    IReadOnlyList<OptionDataType>? RecordFields = null,
    string? Encapsulates = null)
{
    /// <summary>False for options the server builds itself (client-id, ia-na, status-code, ...), which Kea rejects in option-data.</summary>
    public bool IsConfigurable { get; init; } = true;
}
