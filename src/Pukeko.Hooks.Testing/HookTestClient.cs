using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// A DHCPv6 client of a <see cref="HookTestServer"/>: builds queries as a real client would (client identifier,
/// elapsed time, an IA_NA and/or IA_PD holding what it was given, option request, the server identifier where RFC
/// 8415 requires it), sends them, optionally through relay layers, and remembers the server and its leases from
/// each reply. Create one with <see cref="HookTestServer.CreateClient"/>.
/// </summary>
public sealed class HookTestClient
{
    private static int _created;
    private readonly HookTestServer _server;
    private readonly List<IaAddressOption> _addresses = [];
    private readonly List<IaPrefixOption> _prefixes = [];

    internal HookTestClient(HookTestServer server, Duid? duid)
    {
        _server = server;
        if (duid is null)
        {
            // A DUID-LL of a made-up MAC, different for each client of the process.
            var n = Interlocked.Increment(ref _created);
            duid = Duid.CreateLl(1, [0x02, 0x00, 0x5e, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
        }

        Duid = duid;
    }

    /// <summary>The client's DUID (its client identifier).</summary>
    public Duid Duid { get; }

    /// <summary>The IAID of its IA_NA and IA_PD; 1 unless set.</summary>
    public uint Iaid { get; set; } = 1;

    /// <summary>Whether queries carry an IA_NA (an address); true unless set.</summary>
    public bool RequestAddress { get; set; } = true;

    /// <summary>Whether queries carry an IA_PD (a delegated prefix); false unless set.</summary>
    public bool RequestPrefix { get; set; }

    /// <summary>Whether a Solicit carries Rapid Commit (the server may answer it with a Reply and commit the lease).</summary>
    public bool RapidCommit { get; set; }

    /// <summary>Option codes put in an Option Request option (none: no ORO).</summary>
    public IList<ushort> RequestedOptions { get; } = [];

    /// <summary>Options added to every query (copies of them), such as a vendor class or an FQDN.</summary>
    public IList<DhcpOption> Options { get; } = [];

    /// <summary>
    /// Relay-forward layers the queries pass through, outermost first (a relay agent's options, such as an
    /// interface-id or remote-id, go in their <see cref="RelayLayer.Options"/>). Empty: the client is on the server's link.
    /// </summary>
    public IList<RelayLayer> Relays { get; } = [];

    /// <summary>The server identifier of the last Advertise or Reply; null before one.</summary>
    public Duid? ServerId { get; private set; }

    /// <summary>The addresses of this client's IA_NA in the last Advertise or Reply (lifetimes as sent).</summary>
    public IReadOnlyList<IaAddressOption> Addresses => _addresses;

    /// <summary>The prefixes of this client's IA_PD in the last Advertise or Reply (lifetimes as sent).</summary>
    public IReadOnlyList<IaPrefixOption> Prefixes => _prefixes;

    /// <summary>The last exchange this client made.</summary>
    public HookTestExchange? LastExchange { get; private set; }

    /// <summary>
    /// A query of <paramref name="type"/> as this client would send it now; change it before
    /// <see cref="SendAsync"/> to test what a real client would not send.
    /// </summary>
    public Dhcp6Message CreateMessage(MessageType type)
    {
        var message = new Dhcp6Message(type, (uint)Random.Shared.Next(1, (int)Dhcp6Message.MaxTransactionId));
        message.Options.Add(new DuidOption(OptionCode.ClientId, Duid));
        if (type is MessageType.Request or MessageType.Renew or MessageType.Release or MessageType.Decline)
        {
            message.Options.Add(new DuidOption(OptionCode.ServerId, ServerId ?? throw new InvalidOperationException($"a {type} needs the server identifier: send a Solicit first")));
        }

        message.Options.Add(new ElapsedTimeOption(0));
        if (type is MessageType.Solicit && RapidCommit)
        {
            message.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        }

        if (type is not MessageType.InformationRequest)
        {
            var holding = type is not MessageType.Solicit;
            if (RequestAddress)
            {
                var ia = new IaNaOption(Iaid, 0, 0);
                foreach (var address in holding ? _addresses : [])
                {
                    ia.Options.Add(new IaAddressOption(address.Address, 0, 0));
                }

                message.Options.Add(ia);
            }

            if (RequestPrefix && type is not (MessageType.Confirm or MessageType.Decline))
            {
                var ia = new IaPdOption(Iaid, 0, 0);
                foreach (var prefix in holding ? _prefixes : [])
                {
                    ia.Options.Add(new IaPrefixOption(0, 0, prefix.PrefixLength, prefix.Prefix));
                }

                message.Options.Add(ia);
            }
        }

        if (RequestedOptions.Count > 0)
        {
            message.Options.Add(new OptionRequestOption(RequestedOptions));
        }

        foreach (var option in Options)
        {
            message.Options.Add(option.Clone());
        }

        return message;
    }

    /// <summary>Sends <paramref name="query"/> through <see cref="Relays"/> and learns the server and leases from the reply.</summary>
    public async Task<HookTestExchange> SendAsync(Dhcp6Message query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var exchange = await _server.ExchangeAsync(query, [.. Relays]).ConfigureAwait(false);
        LastExchange = exchange;
        if (exchange.Reply is { } reply)
        {
            Learn(query.Type, reply);
        }

        return exchange;
    }

    /// <summary>Sends a Solicit; returns the Advertise (or Reply, with <see cref="RapidCommit"/>), or null.</summary>
    public Task<Dhcp6Message?> SolicitAsync() => SendTypeAsync(MessageType.Solicit);

    /// <summary>Sends a Request for what the last Advertise offered; returns the Reply, or null.</summary>
    public Task<Dhcp6Message?> RequestAsync() => SendTypeAsync(MessageType.Request);

    /// <summary>Solicit, then Request: the four-message exchange a client starts with. Returns the Reply, or null when either got no answer.</summary>
    public async Task<Dhcp6Message?> RequestLeasesAsync()
    {
        var advertise = await SolicitAsync().ConfigureAwait(false);
        if (advertise is null)
        {
            return null;
        }

        return advertise.Type == MessageType.Reply ? advertise : await RequestAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a Renew for the leases held; returns the Reply, or null.</summary>
    public Task<Dhcp6Message?> RenewAsync() => SendTypeAsync(MessageType.Renew);

    /// <summary>Sends a Rebind for the leases held; returns the Reply, or null.</summary>
    public Task<Dhcp6Message?> RebindAsync() => SendTypeAsync(MessageType.Rebind);

    /// <summary>Sends a Release of the leases held; returns the Reply, or null. The client then holds nothing.</summary>
    public Task<Dhcp6Message?> ReleaseAsync() => SendTypeAsync(MessageType.Release);

    /// <summary>Sends a Decline of the addresses held; returns the Reply, or null. The client then holds nothing.</summary>
    public Task<Dhcp6Message?> DeclineAsync() => SendTypeAsync(MessageType.Decline);

    /// <summary>Sends a Confirm of the addresses held; returns the Reply, or null.</summary>
    public Task<Dhcp6Message?> ConfirmAsync() => SendTypeAsync(MessageType.Confirm);

    /// <summary>Sends an Information-request (no IAs); returns the Reply, or null.</summary>
    public Task<Dhcp6Message?> InformationRequestAsync() => SendTypeAsync(MessageType.InformationRequest);

    private async Task<Dhcp6Message?> SendTypeAsync(MessageType type) => (await SendAsync(CreateMessage(type)).ConfigureAwait(false)).Reply;

    private void Learn(MessageType queryType, Dhcp6Message reply)
    {
        if (reply.Options.Get<DuidOption>(OptionCode.ServerId) is { } serverId)
        {
            ServerId = serverId.Duid;
        }

        if (queryType is MessageType.Release or MessageType.Decline)
        {
            _addresses.Clear();
            _prefixes.Clear();
            return;
        }

        if (queryType is MessageType.Confirm or MessageType.InformationRequest)
        {
            return;
        }

        foreach (var option in reply.Options)
        {
            if (option is IaNaOption na && na.Iaid == Iaid)
            {
                _addresses.Clear();
                _addresses.AddRange(na.Options.GetAll(OptionCode.IaAddr).OfType<IaAddressOption>().Where(a => a.ValidLifetime > 0));
            }
            else if (option is IaPdOption pd && pd.Iaid == Iaid)
            {
                _prefixes.Clear();
                _prefixes.AddRange(pd.Options.GetAll(OptionCode.IaPrefix).OfType<IaPrefixOption>().Where(p => p.ValidLifetime > 0));
            }
        }
    }
}
