using System.Diagnostics.CodeAnalysis;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>
/// Kea's standard definitions plus the custom ones of a configuration (<c>option-def</c>). Custom definitions
/// may not redefine a standard option of the dhcp6 space; in other spaces (vendor-N, user spaces) they add to
/// or replace nothing standard.
/// </summary>
public sealed class OptionDefinitionSet
{
    private readonly Dictionary<(string Space, string Name), OptionDefinition> _byName = [];
    private readonly Dictionary<(string Space, ushort Code), OptionDefinition> _byCode = [];
    private readonly List<OptionDefinition> _custom = [];

    public static OptionDefinitionSet StandardOnly { get; } = new();

    public IReadOnlyList<OptionDefinition> Custom => _custom;

    /// <summary>Adds a custom definition; false when one with the same name or code exists in its space.</summary>
    public bool TryAdd(OptionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (TryGetByName(definition.Space, definition.Name, out _) || _byCode.ContainsKey((definition.Space, definition.Code)))
        {
            return false;
        }

        _byName[(definition.Space, definition.Name)] = definition;
        _byCode[(definition.Space, definition.Code)] = definition;
        _custom.Add(definition);
        return true;
    }

    public bool TryGetByName(string space, string name, [NotNullWhen(true)] out OptionDefinition? definition) =>
        _byName.TryGetValue((space, name), out definition) || StandardOptionDefinitions.TryGetByName(space, name, out definition);

    public bool TryGetByCode(string space, ushort code, [NotNullWhen(true)] out OptionDefinition? definition) =>
        _byCode.TryGetValue((space, code), out definition) || StandardOptionDefinitions.TryGetByCode(space, code, out definition);

    /// <summary>Enterprise number of a Kea vendor space name "vendor-N", or null.</summary>
    public static uint? VendorOf(string space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.StartsWith("vendor-", StringComparison.Ordinal)
            && uint.TryParse(space.AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var enterprise)
            ? enterprise
            : null;
    }
}
