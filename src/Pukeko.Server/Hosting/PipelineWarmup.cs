using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Hosting;

/// <summary>
/// Runs a few complete client exchanges (Solicit, Request, Renew, Rebind, Release, Information-request,
/// direct and relayed, IA_NA and IA_PD) through a private copy of the pipeline before the server says
/// it has started, so the first real client does not pay for just-in-time compilation: on a loaded
/// machine that cost alone can exceed a client's first retransmission timeout (1 s).
/// The copy has its own in-memory lease store, statistics and an empty hooks manager, and logs
/// nothing: no lease, counter, callout or log line of the real server is touched.
/// </summary>
internal static class PipelineWarmup
{
    private static readonly Duid WarmupClient = Duid.CreateLl(1, [0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);

    /// <summary>Returns how many exchanges got a reply (for the log and for tests).</summary>
    public static int Run(DhcpConfig config, Duid serverDuid, TimeProvider time)
    {
        if (config.Subnets.Count == 0)
        {
            return 0;
        }

        using var store = new MemfileLeaseStore(new MemfileOptions(Path.Combine(Path.GetTempPath(), "pukeko-warmup.csv"), Persist: false), NullLogger.Instance, time);
        store.Open();
        var registry = new StatisticsRegistry();
        var packets = new PacketStatistics(registry);
        var leases = new LeaseStatistics(registry);
        var allocation = new AllocationEngine(store, leases, packets, NullLogger.Instance);
        var processor = new Dhcp6Processor(new ServerRuntime(config, serverDuid), allocation, packets, leases, NullLoggerFactory.Instance, time);
        try
        {
            var subnet = config.Subnets[0];
            var output = new byte[9216];
            var answered = 0;

            // Relayed: the relay's link-address selects the first subnet whatever its interface settings are.
            var relay = new RelayLayer(MessageType.RelayForward, 0, subnet.Prefix.Address, Ipv6Address.Parse("fe80::5e00:5301"));
            answered += Conversation(processor, output, relay, subnet.Interface ?? FirstInterface(config), subnet.PdPools.Count > 0, time);

            // Direct, on the subnet's interface (or the first one served).
            if ((subnet.Interface ?? FirstInterface(config)) is { } iface)
            {
                answered += Conversation(processor, output, relay: null, iface, subnet.PdPools.Count > 0, time);
            }

            return answered;
        }
        finally
        {
            processor.Hooks.Dispose();
        }
    }

    private static string? FirstInterface(DhcpConfig config) =>
        config.Interfaces.Count > 0 && config.Interfaces[0].Name is { Length: > 0 } name && name != "*" ? name : null;

    private static int Conversation(Dhcp6Processor processor, byte[] output, RelayLayer? relay, string? iface, bool withPd, TimeProvider time)
    {
        var answered = 0;
        var advertise = Exchange(processor, output, Query(MessageType.Solicit, null, null, withPd), relay, iface, time);
        if (advertise is null)
        {
            return answered;
        }

        answered++;
        var serverId = advertise.Options.Get<DuidOption>(OptionCode.ServerId)?.Duid;
        foreach (var type in (ReadOnlySpan<MessageType>)[MessageType.Request, MessageType.Renew, MessageType.Rebind, MessageType.Release])
        {
            var query = Query(type, type == MessageType.Rebind ? null : serverId, advertise, withPd);
            if (Exchange(processor, output, query, relay, iface, time) is not null)
            {
                answered++;
            }
        }

        if (Exchange(processor, output, Query(MessageType.InformationRequest, null, null, false), relay, iface, time) is not null)
        {
            answered++;
        }

        return answered;
    }

    private static Dhcp6Message Query(MessageType type, Duid? serverId, Dhcp6Message? offer, bool withPd)
    {
        var message = new Dhcp6Message(type, 0x5e0053);
        message.Options.Add(new DuidOption(OptionCode.ClientId, WarmupClient));
        if (serverId is not null)
        {
            message.Options.Add(new DuidOption(OptionCode.ServerId, serverId));
        }

        message.Options.Add(new ElapsedTimeOption(0));
        message.Options.Add(new OptionRequestOption([OptionCode.DnsServers, OptionCode.DomainSearch]));
        if (type == MessageType.InformationRequest)
        {
            return message;
        }

        // Echo what the server offered, as a client does in Request, Renew, Rebind and Release.
        var offered = false;
        if (offer is not null)
        {
            foreach (var option in offer.Options)
            {
                if (option is IaNaOption or IaPdOption)
                {
                    message.Options.Add(option.Clone());
                    offered = true;
                }
            }
        }

        if (!offered)
        {
            message.Options.Add(new IaNaOption(1, 0, 0));
            if (withPd)
            {
                message.Options.Add(new IaPdOption(2, 0, 0));
            }
        }

        return message;
    }

    private static Dhcp6Message? Exchange(Dhcp6Processor processor, byte[] output, Dhcp6Message query, RelayLayer? relay, string? iface, TimeProvider time)
    {
        IReadOnlyList<RelayLayer> relays = relay is null ? [] : [relay];
        var bytes = new byte[Dhcp6Writer.GetLength(query, relays)];
        Dhcp6Writer.Write(query, relays, bytes);
        var datagram = new ReceivedDatagram
        {
            Buffer = bytes,
            Length = bytes.Length,
            RemoteAddress = relay is null ? Ipv6Address.Parse("fe80::5e00:5301") : Ipv6Address.Parse("2001:db8:ffff::1"),
            RemotePort = relay is null ? (ushort)546 : (ushort)547,
            LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 0,
            InterfaceName = iface ?? string.Empty,
            ReceivedAt = time.GetUtcNow(),
        };

        // No hook library runs in the warm-up, so nothing parks and the result is there at once.
        var pending = processor.ProcessAsync(datagram, output);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (result is not { Length: > 0 } reply)
        {
            return null;
        }

        var relaysOut = new List<RelayLayer>();
        return Dhcp6Parser.TryParse(output.AsSpan(0, reply.Length), relaysOut, out var message) == ParseStatus.Ok ? message : null;
    }
}
