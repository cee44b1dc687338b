using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Everything one query's processing accumulates: the chosen subnet, the reply, and the leases
/// it created or removed (the future <c>leases6_committed</c> arguments).
/// </summary>
public sealed class ProcessingContext
{
    public ProcessingContext(Dhcp6Packet query, ServerRuntime runtime, long now)
    {
        Query = query;
        Runtime = runtime;
        Now = now;
    }

    public Dhcp6Packet Query { get; }

    public ServerRuntime Runtime { get; }

    /// <summary>Unix seconds at the start of processing; one clock reading for the whole query.</summary>
    public long Now { get; }

    public Dhcp6Packet? Response { get; set; }

    public Subnet6? Subnet { get; set; }

    /// <summary>The client's DUID bytes (Client-ID payload); empty for anonymous Information-Request.</summary>
    public byte[] ClientDuid { get; set; } = [];

    /// <summary>True for a Solicit without Rapid Commit: leases are chosen but nothing is stored.</summary>
    public bool FakeAllocation { get; set; }

    public List<Lease6> NewLeases { get; } = [];

    public List<Lease6> DeletedLeases { get; } = [];

    /// <summary>Reserved addresses already handed to an IA of this message (one reserved address per IA).</summary>
    public HashSet<Pukeko.Protocol.Addressing.Ipv6Address> ReservedAddressesUsed { get; } = [];

    /// <summary>Pools that provided the leases in this reply, for pool-level options.</summary>
    public List<ILeasePool> UsedPools { get; } = [];

    /// <summary>Leases this reply hands out unchanged from the cache (digest §3.6): not written, not committed.</summary>
    public List<Lease6> ReusedLeases { get; } = [];

    /// <summary>The client's host reservation (subnet one, else global), found after subnet selection.</summary>
    public Reservations.HostReservation? Host { get; set; }

    /// <summary>
    /// Host name for the client's leases: from its Client FQDN option (qualified) or its reservation; null keeps
    /// what a renewed lease has.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>The Client FQDN option (39) for the reply, when the client sent one (RFC 4704).</summary>
    public Pukeko.Protocol.Options.ClientFqdnOption? FqdnResponse { get; set; }

    /// <summary>Options of the client's host reservation (highest precedence), if it has one.</summary>
    public Options.OptionLevel? ReservationOptions { get; set; }
}
