using System.Text.Json;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Subnets;

/// <summary>A callout's read-only view of one <c>shared-networks[]</c> entry: subnets on the same link.</summary>
public sealed class SharedNetwork6
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;

    /// <summary><c>name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The ids of its subnets, in configuration order.</summary>
    public IReadOnlyList<uint> SubnetIds { get; init; } = [];

    /// <summary><c>interface</c>, or null.</summary>
    public string? Interface { get; init; }

    /// <summary><c>client-classes</c>: when not empty, only clients in one of them may use the network.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary>The network's own <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <summary><c>user-context</c> as configured, or null.</summary>
    public JsonElement? UserContext { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"shared network {Name}";
}
