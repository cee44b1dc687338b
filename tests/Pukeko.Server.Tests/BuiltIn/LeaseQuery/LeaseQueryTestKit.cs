using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.LeaseQuery;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.BuiltIn.LeaseQuery;

/// <summary>What the lease query tests share: a server with the library configured, leases and queries.</summary>
internal static class LeaseQueryTestKit
{
    public static readonly Ipv6Address Requester = Ipv6Address.Parse("2001:db8:ff::1");
    public static readonly Duid RequesterDuid = Duid.CreateLl(1, [0x02, 0, 0, 0, 0xaa, 0x01]);
    public static readonly Duid ClientA = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x0a]);
    public static readonly Duid ClientB = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x0b]);

    public const string DefaultParameters = """ "requesters": [ "2001:db8:ff::1", "::1" ] """;

    /// <summary>Two subnets; the first with an address pool and a PD pool delegating /56s from 2001:db8:a000::/40.</summary>
    /// <param name="globals">More global keys, each followed by a comma.</param>
    public static PipelineHarness Harness(string parameters = DefaultParameters, bool wire = true, string globals = "")
    {
        var h = PipelineHarness.FromDhcp6(globals + $$"""
            "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_query.so", "parameters": { {{parameters}} } } ],
            "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ],
                  "pd-pools": [ { "prefix": "2001:db8:a000::", "prefix-len": 40, "delegated-len": 56 } ] },
                { "id": 2, "subnet": "2001:db8:2::/64",
                  "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::ff" } ] } ]
            """);
        if (wire)
        {
            var options = LeaseQueryTestKit.Options(h);
            h.Processor.LeaseQuery = new LeaseQueryResponder(options, Engine(h, options), NullLogger.Instance);
        }

        return h;
    }

    public static LeaseQueryOptions Options(PipelineHarness h) => h.Config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<LeaseQueryOptions>().Single();

    public static LeaseQueryEngine Engine(PipelineHarness h, LeaseQueryOptions options) => new(h.Store, h.Time, NullLogger.Instance, options.PrefixLengths);

    public static long Now(PipelineHarness h) => h.Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>A lease written to the harness's store; <paramref name="age"/> seconds since the client was last heard.</summary>
    public static Lease6 Add(PipelineHarness h, string address, Duid client, uint subnetId, long age = 100, LeaseType type = LeaseType.NA, byte length = 128, string? userContext = null, LeaseState state = LeaseState.Default, uint valid = 4000)
    {
        var lease = new Lease6
        {
            Address = Ipv6Address.Parse(address),
            Type = type,
            PrefixLength = length,
            Duid = client.ToArray(),
            Iaid = 1,
            PreferredLifetime = 3000,
            ValidLifetime = valid,
            Cltt = Now(h) - age,
            SubnetId = subnetId,
            State = state,
            UserContext = userContext,
        };
        var work = h.Store.BeginWork();
        try
        {
            Assert.Equal(LeaseWriteResult.Written, work.InsertAsync(lease).AsTask().GetAwaiter().GetResult());
            work.CommitAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            work.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return lease;
    }

    /// <summary>A LEASEQUERY from the requester, with the query's own option inside OPTION_LQ_QUERY.</summary>
    public static Dhcp6Message Query(LeasequeryType type, DhcpOption? inner = null, Ipv6Address link = default, Duid? serverId = null, bool clientId = true, uint xid = 0x123456)
    {
        var query = new Dhcp6Message(MessageType.Leasequery, xid);
        if (clientId)
        {
            query.Options.Add(new DuidOption(OptionCode.ClientId, RequesterDuid));
        }

        if (serverId is not null)
        {
            query.Options.Add(new DuidOption(OptionCode.ServerId, serverId));
        }

        var lq = new LqQueryOption(type, link);
        if (inner is not null)
        {
            lq.Options.Add(inner);
        }

        query.Options.Add(lq);
        return query;
    }

    public static IaAddressOption Address(string address) => new(Ipv6Address.Parse(address), 0, 0);

    public static DuidOption Client(Duid duid) => new(OptionCode.ClientId, duid);

    public static StatusCodeOption StatusOf(Dhcp6Message reply) => reply.Options.Get<StatusCodeOption>(OptionCode.StatusCode)!;

    public static long Stat(PipelineHarness h, string name) => h.Statistics.Get(name).Value;

    /// <summary>
    /// The statistic once it reaches <paramref name="expected"/>, or its value after 10 s: the bulk service counts a
    /// message after its write completes, so the requester may have read it a moment before.
    /// </summary>
    public static async Task<long> StatAfterSendsAsync(PipelineHarness h, string name, long expected)
    {
        for (var waited = 0; waited < 10_000 && Stat(h, name) < expected; waited += 10)
        {
            await Task.Delay(10);
        }

        return Stat(h, name);
    }

    /// <summary>Relay information as Kea keeps it in a lease's user context (one relay).</summary>
    public static string RelayContext(string link, string peer, string optionsHex, string? remoteIdHex = null, string? relayIdHex = null) =>
        $$"""{ "ISC": { "relay-info": [ { "hop": 0, "link": "{{link}}", "peer": "{{peer}}", "options": "0x{{optionsHex}}"{{(remoteIdHex is null ? "" : $", \"remote-id\": \"{remoteIdHex}\"")}}{{(relayIdHex is null ? "" : $", \"relay-id\": \"{relayIdHex}\"")}} } ] } }""";
}
