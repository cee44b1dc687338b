using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

public class ConcurrencyTests
{
    [Fact]
    public void SameClientsRequestOnTwoWorkersAtOnceYieldsOneLease()
    {
        using var h = new PipelineHarness(s => SolicitRequestTests.Clone(s, pool: ("2001:db8:1::1000", "2001:db8:1::1fff")), wrapStore: store => new SlowLeaseStore(store));
        const int clients = 30;
        var addresses = new System.Collections.Concurrent.ConcurrentBag<string>();
        for (var i = 0; i < clients; i++)
        {
            var duid = Pukeko.Protocol.Duids.Duid.CreateLl(1, [2, 0, 0, 0, 0, (byte)i]);
            // A retransmitted Request reaching two workers at the same moment.
            using var barrier = new Barrier(2);
            var workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                barrier.SignalAndWait();
                var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: duid));
                addresses.Add(AddressOf(reply!)!.Address.ToString());
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
        }

        Assert.Equal(clients, h.Store.Count);
        Assert.Equal(clients, addresses.Distinct().Count());
        Assert.Equal(clients, h.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public void ManyClientsInParallelGetDistinctAddresses()
    {
        using var h = new PipelineHarness(s => SolicitRequestTests.Clone(s, pool: ("2001:db8:1::1000", "2001:db8:1::1fff")));
        const int clients = 400;
        var addresses = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, clients, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var duid = Pukeko.Protocol.Duids.Duid.CreateLl(1, [2, 0, 0, 0, (byte)(i >> 8), (byte)i]);
            var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: duid));
            addresses.Add(AddressOf(reply!)!.Address.ToString());
        });

        Assert.Equal(clients, h.Store.Count);
        Assert.Equal(clients, addresses.Distinct().Count());
    }
}
