using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Hosts;

/// <summary>A callout's read-only view of one host reservation (<c>reservations[]</c>), as Kea's <c>Host</c>.</summary>
public sealed class Host6
{
    private readonly IReadOnlyList<DhcpOption> _options = OptionCopies.Empty;
    private readonly byte[] _identifier = [];

    /// <summary>What kind of identifier <see cref="Identifier"/> is.</summary>
    public required HostIdentifierType IdentifierType { get; init; }

    /// <summary>The identifier's bytes.</summary>
    public required ReadOnlyMemory<byte> Identifier { get => _identifier; init => _identifier = value.ToArray(); }

    /// <summary>The subnet the reservation belongs to; null for a global reservation.</summary>
    public uint? SubnetId { get; init; }

    /// <summary><c>ip-addresses</c>.</summary>
    public IReadOnlyList<Ipv6Address> Addresses { get; init; } = [];

    /// <summary><c>prefixes</c>.</summary>
    public IReadOnlyList<Ipv6Prefix> Prefixes { get; init; } = [];

    /// <summary><c>hostname</c>, or null.</summary>
    public string? Hostname { get; init; }

    /// <summary><c>client-classes</c> the reservation puts its client in.</summary>
    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary>The reservation's <c>option-data</c>, typed as the packet parser types them; each read returns a copy.</summary>
    public IReadOnlyList<DhcpOption> Options { get => _options; init => _options = OptionCopies.Of(value); }

    /// <inheritdoc/>
    public override string ToString() => $"{IdentifierType}={Convert.ToHexString(_identifier)}{(SubnetId is { } id ? $" subnet-id={id}" : " (global)")}";
}
