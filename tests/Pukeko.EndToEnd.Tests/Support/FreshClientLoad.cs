using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Load from many fresh clients on loopback, for crash-consistency tests: relayed Solicits with Rapid Commit
/// (a unicast Solicit would be refused), each from a new DUID, and a receiver that records every address a Reply
/// leased to the client that asked (acknowledged) and every address acknowledged to a second client. One socket
/// for the whole test; each server life is a round (<see cref="BeginRound"/>, <see cref="EndRoundAsync"/>).
/// </summary>
internal sealed class FreshClientLoad : IDisposable
{
    private static readonly Ipv6Address RelayLink = Ipv6Address.Parse("2001:db8:1::1");
    private readonly Socket _socket = new(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private ConcurrentDictionary<uint, byte[]> _pending = new();
    private CancellationTokenSource? _receiving;
    private Task _receiver = Task.CompletedTask;
    private int _clients;

    public FreshClientLoad(ushort serverPort)
    {
        _socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        _server = new IPEndPoint(IPAddress.IPv6Loopback, serverPort);
    }

    /// <summary>Where the server must send its Replies (its <c>-P</c>).</summary>
    public ushort ClientPort => (ushort)((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Every address acknowledged, with the DUID of the client it was acknowledged to (the first one).</summary>
    public ConcurrentDictionary<Ipv6Address, byte[]> Acknowledged { get; } = new();

    /// <summary>Addresses acknowledged to a second client.</summary>
    public ConcurrentBag<string> AcknowledgedTwice { get; } = [];

    public int ClientsSent => Volatile.Read(ref _clients);

    /// <summary>Starts receiving the Replies of a new server life (Replies to earlier rounds' requests are ignored).</summary>
    public void BeginRound()
    {
        _pending = new ConcurrentDictionary<uint, byte[]>();
        _receiving = new CancellationTokenSource();
        _receiver = ReceiveAsync(_pending, _receiving.Token);
    }

    /// <summary>Replies already on their way when the server died were sent before: waits briefly for them, then stops receiving.</summary>
    public async Task EndRoundAsync()
    {
        await Task.Delay(50);
        _receiving?.Cancel();
        await _receiver;
        _receiving?.Dispose();
        _receiving = null;
    }

    /// <summary><paramref name="senders"/> senders, each a Solicit from a new client every few ms, until <paramref name="stop"/>.</summary>
    public Task SendAsync(int senders, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(_ => SendOneAsync(_pending, stop)));

    private async Task SendOneAsync(ConcurrentDictionary<uint, byte[]> pending, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var number = (uint)Interlocked.Increment(ref _clients);
            var duid = Duid.CreateLl(1, [0x02, (byte)(number >> 24), (byte)(number >> 16), (byte)(number >> 8), (byte)number, 0x01]);
            var solicit = new Dhcp6Message(MessageType.Solicit, number & 0xffffff);
            solicit.Options.Add(new DuidOption(OptionCode.ClientId, duid));
            solicit.Options.Add(new ElapsedTimeOption(0));
            solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
            solicit.Options.Add(new IaNaOption(1, 0, 0));
            var relay = new RelayLayer { Type = MessageType.RelayForward, HopCount = 0, LinkAddress = RelayLink, PeerAddress = Ipv6Address.Parse("fe80::1") };
            relay.Options.Add(new RelaySourcePortOption(0));
            pending[number & 0xffffff] = duid.ToArray();
            await _socket.SendToAsync(Dhcp6Writer.ToArray(solicit, [relay]), SocketFlags.None, _server);
            try
            {
                await Task.Delay(3, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private Task ReceiveAsync(ConcurrentDictionary<uint, byte[]> pending, CancellationToken cancel) => Task.Run(async () =>
    {
        var buffer = new byte[9216];
        while (true)
        {
            int received;
            try
            {
                received = (await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), cancel)).ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var relays = new List<RelayLayer>();
            if (Dhcp6Parser.TryParse(buffer.AsSpan(0, received), relays, out var reply) != ParseStatus.Ok
                || reply is not { Type: MessageType.Reply }
                || !pending.TryRemove(reply.TransactionId, out var duid)
                || reply.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid.ToArray() is not { } echoed
                || !echoed.AsSpan().SequenceEqual(duid))
            {
                continue;
            }

            foreach (var option in reply.Options)
            {
                if (option is IaNaOption ia && ia.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { ValidLifetime: > 0 } leased)
                {
                    var holder = Acknowledged.GetOrAdd(leased.Address, duid);
                    if (!holder.AsSpan().SequenceEqual(duid))
                    {
                        AcknowledgedTwice.Add(leased.Address.ToString());
                    }
                }
            }
        }
    });

    public void Dispose()
    {
        _receiving?.Cancel();
        _socket.Dispose();
    }
}
