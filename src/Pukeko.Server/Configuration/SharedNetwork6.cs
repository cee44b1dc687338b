using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>
/// A <c>shared-networks[]</c> entry: subnets on the same link. Its parameters are already
/// inherited into each member subnet; the network itself is kept for allocation across the
/// members and for its own option-data level.
/// </summary>
internal sealed class SharedNetwork6
{
    public required string Name { get; init; }

    /// <summary>Member subnets in configuration order.</summary>
    public IReadOnlyList<Subnet6> Subnets { get; init; } = [];

    public string? Interface { get; init; }

    public byte[]? InterfaceId { get; init; }

    public IReadOnlyList<Ipv6Address> RelayAddresses { get; init; } = [];

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    /// <summary><c>client-classes</c> (or old <c>client-class</c>): only packets in one of them may use the network.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>evaluate-additional-classes</c>, evaluated after the subnet's.</summary>
    public IReadOnlyList<string> AdditionalClasses { get; init; } = [];

    /// <summary>The <c>ddns-*</c> parameters in force at this level (shared network over global).</summary>
    public DdnsParameters Ddns { get; init; } = DdnsParameters.Default;

    public override string ToString() => $"shared network {Name}";
}
