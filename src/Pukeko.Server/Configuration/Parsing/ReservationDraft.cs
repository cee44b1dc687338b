using Pukeko.Protocol.Addressing;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>reservations[]</c> entry as read.</summary>
internal sealed class ReservationDraft(string path)
{
    public string Path { get; } = path;

    public List<(HostIdentifierType Type, byte[] Value, string Path)> Identifiers { get; } = [];

    public List<(Ipv6Address Address, string Path)> IpAddresses { get; } = [];

    public List<(Ipv6Prefix Prefix, string Path)> Prefixes { get; } = [];

    /// <summary><c>excluded-prefixes</c> as given (one entry per reserved prefix, "" for none), with where it was.</summary>
    public List<(string Text, string Path)>? ExcludedPrefixes { get; set; }

    public string? ExcludedPrefixesPath { get; set; }

    public string? Hostname { get; set; }

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public IReadOnlyList<string> ClientClasses { get; set; } = [];

    public string? UserContext { get; set; }
}
