using System.Net;
using System.Net.Sockets;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>What a Reply gave: the IA_NA address and IA_PD prefix with non-zero lifetimes, if any.</summary>
internal sealed record Granted(Dhcp6Message? Reply, Ipv6Address? Address, Ipv6Prefix? Prefix);

/// <summary>
/// A client socket on [::1] sending unicast Requests (IA_NA and IA_PD, asking for DNS servers and the domain
/// search list) and Releases to a server, which answers them on loopback.
/// </summary>
internal sealed class LoopbackDhcpClient : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);

    public LoopbackDhcpClient() => _socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));

    public ushort Port => (ushort)((IPEndPoint)_socket.LocalEndPoint!).Port;

    public Task<Granted> RequestAsync(Dhcp6Server server, Duid client)
    {
        var query = Query(MessageType.Request, server, client);
        query.Options.Add(new IaNaOption(1, 0, 0));
        query.Options.Add(new IaPdOption(1, 0, 0));
        query.Options.Add(new OptionRequestOption([OptionCode.DnsServers, OptionCode.DomainSearch]));
        return ExchangeAsync(server, client, query);
    }

    /// <summary>Releases what <paramref name="granted"/> holds (IAID 1); the Reply's status is the server's verdict.</summary>
    public Task<Granted> ReleaseAsync(Dhcp6Server server, Duid client, Granted granted)
    {
        var query = Query(MessageType.Release, server, client);
        if (granted.Address is { } address)
        {
            var na = new IaNaOption(1, 0, 0);
            na.Options.Add(new IaAddressOption(address, 0, 0));
            query.Options.Add(na);
        }

        if (granted.Prefix is { } prefix)
        {
            var pd = new IaPdOption(1, 0, 0);
            pd.Options.Add(new IaPrefixOption(0, 0, prefix));
            query.Options.Add(pd);
        }

        return ExchangeAsync(server, client, query);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Dhcp6Message Query(MessageType type, Dhcp6Server server, Duid client)
    {
        var query = new Dhcp6Message(type, 0x4242);
        query.Options.Add(new DuidOption(OptionCode.ClientId, client));
        query.Options.Add(new DuidOption(OptionCode.ServerId, server.Processor!.Runtime.ServerDuid));
        query.Options.Add(new ElapsedTimeOption(0));
        return query;
    }

    private async Task<Granted> ExchangeAsync(Dhcp6Server server, Duid client, Dhcp6Message query)
    {
        var bytes = new byte[Dhcp6Writer.GetLength(query)];
        Dhcp6Writer.Write(query, bytes);
        await _socket.SendToAsync(bytes, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Loopback, server.Transport!.Port));

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[9216];
        while (true)
        {
            var received = (await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), deadline.Token)).ReceivedBytes;
            if (Dhcp6Parser.TryParse(buffer.AsSpan(0, received), [], out var reply) != ParseStatus.Ok
                || reply is not { Type: MessageType.Reply }
                || reply.Options.Get<DuidOption>(OptionCode.ClientId)?.Duid != client)
            {
                continue;
            }

            var address = reply.Options.Get<IaNaOption>(OptionCode.IaNa)?.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { ValidLifetime: > 0 } a ? a.Address : (Ipv6Address?)null;
            var prefix = reply.Options.Get<IaPdOption>(OptionCode.IaPd)?.Options.Get<IaPrefixOption>(OptionCode.IaPrefix) is { ValidLifetime: > 0 } p ? p.AsPrefix : null;
            return new Granted(reply, address, prefix);
        }
    }
}
