using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Allocation;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Pipeline.Handlers;
using Pukeko.Server.Pipeline.Stages;
using Pukeko.Server.Reservations;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The packet pipeline: its stages in Kea's order (digest §3.2), with the hook points between them.
/// accept (parse, server-id and unicast tests, classification, <c>pkt6_receive</c>, sanity) →
/// subnet selection (<c>subnet6_select</c>, may park) → host lookup and the Client FQDN decision →
/// the message's handler and the reply options, under the client's turn and claim → relay-supplied
/// options → <c>leases6_committed</c> (may park) → send (<c>pkt6_send</c>, pack, <c>buffer6_send</c>).
/// </summary>
/// <remarks>
/// Asynchronous end to end, and synchronous in the common case: when no callout parks and no client
/// waits for its own earlier packet, <see cref="ProcessAsync"/> completes before it returns and the
/// transport sends the reply at once. Thread-safe: workers call it concurrently; per-query state
/// lives in <see cref="ProcessingContext"/>.
/// </remarks>
internal sealed class Dhcp6Processor
{
    private readonly PipelineServices _services;
    private readonly HookInvoker _hooks;
    private readonly AcceptStage _accept;
    private readonly SubnetSelectionStage _subnets;
    private readonly HostLookupStage _hosts;
    private readonly ReplyOptionsStage _replyOptions;
    private readonly SendStage _send;
    private readonly ClientHandler _clients = new();
    private readonly AssignHandler _assign;
    private readonly ExtendHandler _extend;
    private readonly ReleaseHandler _release;
    private readonly DeclineHandler _decline;
    private readonly ConfirmHandler _confirm = new();
    private readonly InformationRequestHandler _informationRequest = new();
    private volatile ServerRuntime _runtime;

    public Dhcp6Processor(ServerRuntime runtime, AllocationEngine allocation, PacketStatistics statistics, LeaseStatistics leaseStatistics, ILoggerFactory loggers, TimeProvider time)
    {
        _runtime = runtime;
        _services = new PipelineServices(allocation, statistics, leaseStatistics, loggers, time);
        _hooks = new HookInvoker(_services);
        _accept = new AcceptStage(_services, _hooks);
        _subnets = new SubnetSelectionStage(_services, _hooks);
        _hosts = new HostLookupStage(_services);
        _replyOptions = new ReplyOptionsStage(_services, new ClientFqdnStage(_services));
        _send = new SendStage(_services, _hooks);
        _assign = new AssignHandler(_services);
        _extend = new ExtendHandler(_services);
        _release = new ReleaseHandler(_services, _hooks);
        _decline = new DeclineHandler(_services, _hooks);
        allocation.Writer.Subscribe(new LeaseStatisticsObserver(leaseStatistics, id => _runtime.FindSubnet(id)));
        Ddns = new Ddns.DdnsUpdater(() => _runtime.Config, loggers.CreateLogger(Logging.KeaLoggers.Ddns));
        allocation.Writer.Subscribe(Ddns);

        // host6_identifier: asked only when host-reservation-identifiers lists flex-id; the value
        // counts only when the callouts left the identifier type at flex-id.
        _services.HostIdentifiers.FlexId = ctx =>
            _services.Hooks.HasCallouts(HookPoints.Host6Identifier) && _services.Hooks.CallHost6Identifier(ctx.Query, ctx.Handle) is { Type: Pukeko.Hooks.Hosts.HostIdentifierType.FlexId } id
                ? id.Value
                : null;
    }

    public AllocationEngine Allocation => _services.Allocation;

    public PacketStatistics Statistics => _services.Statistics;

    public LeaseStatistics LeaseStatistics => _services.LeaseStatistics;

    public ServerRuntime Runtime => _runtime;

    /// <summary>Name-change requests from lease changes; its sender is set while <c>dhcp-ddns.enable-updates</c> is on.</summary>
    public Ddns.DdnsUpdater Ddns { get; }

    /// <summary>The hooks the pipeline calls; the allocation engine uses the same manager.</summary>
    public HooksManager Hooks
    {
        get => _services.Hooks;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _services.Hooks = value;
        }
    }

    /// <summary>Where host identifiers come from; its <see cref="HostIdentifierSource.FlexId"/> is the host6_identifier seam.</summary>
    public HostIdentifierSource HostIdentifiers => _services.HostIdentifiers;

    /// <summary>Which queries this server answers at all (HA scopes); null answers all.</summary>
    public IQueryFilter? QueryFilter
    {
        get => _services.QueryFilter;
        set => _services.QueryFilter = value;
    }

    /// <summary>What holds a reply until its committed leases are acknowledged (HA); null: replies go out at once.</summary>
    public ICommittedLeasesGate? CommittedLeasesGate
    {
        get => _services.CommittedLeasesGate;
        set => _services.CommittedLeasesGate = value;
    }

    /// <summary>False while the service is disabled (<c>dhcp-disable</c>).</summary>
    public bool ServiceEnabled { get; set; } = true;

    /// <summary>Swaps the configuration; queries already in progress finish with the old one.</summary>
    public void Apply(ServerRuntime runtime)
    {
        _runtime = runtime;
        Allocation.Reset();
    }

    /// <summary>
    /// Processes one datagram end to end and encodes the reply into <paramref name="output"/>.
    /// Completes with the reply's length and destination, or null when nothing is to be sent.
    /// Never throws for bad input: every drop is counted.
    /// </summary>
    /// <param name="datagram">The datagram; its buffer may be reused once the result completes.</param>
    /// <param name="output">Where the reply is encoded; must stay untouched until the result completes.</param>
    /// <param name="flows">
    /// The transport's count of packets in flight, which a reconfiguration waits to empty: a packet
    /// leaves it while it waits in a parking lot or for its client's earlier packet, and comes back
    /// (when the gate is open) to go on.
    /// </param>
    public ValueTask<OutgoingDatagram?> ProcessAsync(ReceivedDatagram datagram, byte[] output, InFlightGate? flows = null)
    {
        Statistics.Received.Increment();
        if (!ServiceEnabled)
        {
            _services.Drop(DropReason.ServiceDisabled);
            return default;
        }

        // Read before anything can hand the packet to a callout: see PacketRecycler.
        var calloutFree = PacketsStayInside() ? _services.Hooks.CalloutFreeTable : null;
        ProcessingContext? ctx;
        try
        {
            ctx = _accept.Accept(datagram, _runtime);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
            return default;
        }

        if (ctx is null)
        {
            return default;
        }

        ctx.Flows = flows;
        ctx.CalloutFreeTable = calloutFree;
        return ctx.Query.Type == MessageType.Leasequery ? AnswerLeaseQueryAsync(ctx, output) : ProcessAcceptedAsync(ctx, output);
    }

    /// <summary>Answers LEASEQUERY messages while the lease query library is configured (null: dropped as unsupported).</summary>
    public ILeaseQueryResponder? LeaseQuery
    {
        get => _services.LeaseQuery;
        set => _services.LeaseQuery = value;
    }

    /// <summary>A LEASEQUERY: answered by the lease query library straight to the requester, outside the client pipeline.</summary>
    private async ValueTask<OutgoingDatagram?> AnswerLeaseQueryAsync(ProcessingContext ctx, byte[] output)
    {
        try
        {
            if (_services.LeaseQuery is not { } responder)
            {
                _services.Drop(DropReason.UnsupportedMessage);
                return null;
            }

            if (await responder.AnswerAsync(ctx.Query, ctx.Runtime, Statistics).ConfigureAwait(false) is not { } reply)
            {
                return null;
            }

            var length = Dhcp6Writer.GetLength(reply);
            if (length > output.Length || length > SendStage.MaxReply)
            {
                _services.Drop(DropReason.ProcessingFailed);
                _services.Log.LogError(new EventId(0, "DHCP6_LEASE_QUERY_PACKET_PACK_FAILED"), "{Label}: preparing on-wire-format of the packet to be sent failed: {Length} bytes do not fit", ctx.Query.Label, length);
                return null;
            }

            length = Dhcp6Writer.Write(reply, output);
            Statistics.Sent.Increment();
            return new OutgoingDatagram(output, length, ctx.Query.RemoteAddress, ctx.Query.RemotePort, ctx.Query.InterfaceIndex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
            return null;
        }
        finally
        {
            var handle = ctx.Handle;
            ctx.Handle = null;
            _services.Hooks.ReleaseHandle(handle);
            ctx.Return();
        }
    }

    /// <summary>Unpack only (the accept stage's first step), for callers that need the parsed packet.</summary>
    internal Dhcp6Packet? Parse(ReceivedDatagram datagram) => _accept.Parse(datagram, _runtime.Config.LenientOptionParsing);

    /// <summary>Counts a drop decided outside the processor (transport queue full, wrong interface).</summary>
    public void CountDrop(DropReason reason)
    {
        Statistics.Received.Increment();
        _services.Drop(reason);
    }

    private async ValueTask<OutgoingDatagram?> ProcessAcceptedAsync(ProcessingContext ctx, byte[] output)
    {
        try
        {
            // early-global-reservations-lookup (digest §3.2 step 12): the global reservation's classes may choose the subnet.
            if (ctx.Runtime.Config.EarlyGlobalReservationsLookup)
            {
                await _hosts.LookUpGlobalEarlyAsync(ctx).ConfigureAwait(false);
                if (ctx.EarlyGlobalHost is not null && _accept.IsDropClass(ctx.Query))
                {
                    return null;
                }
            }

            if (!await _subnets.SelectAsync(ctx).ConfigureAwait(false))
            {
                return null;
            }

            ctx.SelectedSubnet = ctx.Subnet;
            if (_services.QueryFilter is { } filter && !filter.AcceptInSubnet(ctx.Query, ctx.Subnet))
            {
                return null;
            }

            // Host reservations and the second classification pass (digest §3.2 step 15), then DROP again.
            await _hosts.LookupAsync(ctx).ConfigureAwait(false);
            if (!ClientFqdnStage.Decide(ctx))
            {
                // N and S both set: Kea cannot parse such a Client FQDN option and drops the packet.
                _services.Drop(DropReason.ParseFailed);
                _services.PacketLog.LogDebug(new EventId(0, "DHCP6_PACKET_PARSE_FAIL"), "{Label}: failed to parse: invalid Client FQDN option, the N and S flags cannot both be set", ctx.Query.Label);
                return null;
            }

            if (_accept.IsDropClass(ctx.Query) || !await DispatchAsync(ctx).ConfigureAwait(false))
            {
                return null;
            }

            RelaySuppliedOptionsStage.Append(ctx);

            // The leases this reply announces are durable before anyone (callout, client, DNS) hears of them.
            if (ctx.LeaseWork is { } work)
            {
                await work.CommitAsync().ConfigureAwait(false);
            }

            Ddns.CompletePacket(ctx);

            if (_hooks.HasCallouts(HookPoints.Leases6Committed)
                && !ctx.FakeAllocation
                && ctx.Query.Type is not (MessageType.Confirm or MessageType.InformationRequest)
                && !await _hooks.CallParkableAsync(
                    HookPoints.Leases6Committed,
                    ctx,
                    0,
                    static (handle, c) =>
                    {
                        handle.SetArgument("query6", c.Query);
                        handle.SetArgument("response6", c.Response);
                        var (leases, deleted) = CommittedLeases.Of(c.LeaseWork?.Changes);
                        handle.SetArgument("leases6", LeaseViews.ToViews(leases));
                        handle.SetArgument("deleted_leases6", LeaseViews.ToViews(deleted));
                    },
                    static (_, _, _, _) => { }).ConfigureAwait(false))
            {
                return null;
            }

            if (_services.CommittedLeasesGate is { } gate && !ctx.FakeAllocation
                && ctx.Query.Type is not (MessageType.Confirm or MessageType.InformationRequest)
                && !await PassCommittedLeasesGateAsync(gate, ctx).ConfigureAwait(false))
            {
                return null;
            }

            return _send.Send(ctx, output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug must cost one packet, not the server.
            Failed(ex);
            return null;
        }
        finally
        {
            var leaseWork = ctx.LeaseWork;
            if (leaseWork is not null)
            {
                // Dropped after writing (a callout, a bug): a store that can undo does; memfile's changes stand.
                ctx.LeaseWork = null;
                await leaseWork.DisposeAsync().ConfigureAwait(false);
            }

            // context_destroy: the packet's callout handle ends with its processing.
            var handle = ctx.Handle;
            ctx.Handle = null;
            _services.Hooks.ReleaseHandle(handle);
            var reused = ctx.CalloutFreeTable is { } table && PacketsStayInside() && ReferenceEquals(table, _services.Hooks.CalloutFreeTable);
            if (reused)
            {
                PacketRecycler.Return(ctx.Query, ctx.Response);

                // Under the same rule as the packets: no callout or HA hold could have kept its list of changes.
                if (leaseWork is not null)
                {
                    ctx.KeepSpareLeaseWork(leaseWork);
                }
            }

            ctx.Return(reused);
        }
    }

    /// <summary>Nothing but the pipeline sees packets (no HA filter or hold); callouts are checked apart.</summary>
    private bool PacketsStayInside() => _services.QueryFilter is null && _services.CommittedLeasesGate is null;

    /// <summary>HA's hold on the reply: false when it is dropped (counted). A parked packet is not in flight meanwhile.</summary>
    private async ValueTask<bool> PassCommittedLeasesGateAsync(ICommittedLeasesGate gate, ProcessingContext ctx)
    {
        var pending = gate.LeasesCommittedAsync(ctx.Query, ctx.SelectedSubnet, ctx.LeaseWork?.Changes ?? [], ctx.Runtime.Config.ParkedPacketLimit);
        CommittedLeasesOutcome outcome;
        if (pending.IsCompleted)
        {
            outcome = pending.Result;
        }
        else
        {
            ctx.Flows?.Leave();
            try
            {
                outcome = await pending.ConfigureAwait(false);
            }
            finally
            {
                if (ctx.Flows is { } flows)
                {
                    await flows.EnterAsync().ConfigureAwait(false);
                }
            }
        }

        switch (outcome)
        {
            case CommittedLeasesOutcome.Send:
                return true;
            case CommittedLeasesOutcome.ParkingLotFull:
                _services.Drop(DropReason.QueueFull);
                _services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_LEASES6_PARKING_LOT_FULL"), "The parked-packet-limit {Limit}, has been reached, dropping query: {Label}", ctx.Runtime.Config.ParkedPacketLimit, ctx.Query.Label);
                return false;
            default:
                // As a packet a leases6_committed callout drops: not counted (Kea's parking lot drop counts nothing).
                _services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_DROP"), "{Label}: packet dropped by a callout on leases6_committed (HA lease update not acknowledged)", ctx.Query.Label);
                return false;
        }
    }

    /// <summary>The message's handler and the reply options; false when there is no reply (counted unless a callout dropped it).</summary>
    private async ValueTask<bool> DispatchAsync(ProcessingContext ctx)
    {
        IMessageHandler handler = ctx.Query.Type switch
        {
            MessageType.Solicit or MessageType.Request => _assign,
            MessageType.Renew or MessageType.Rebind => _extend,
            MessageType.Release => _release,
            MessageType.Decline => _decline,
            MessageType.Confirm => _confirm,
            _ => _informationRequest,
        };

        bool handled;
        if (ctx.Query.Type is MessageType.InformationRequest or MessageType.Confirm)
        {
            handled = await HandleAsync(handler, ctx).ConfigureAwait(false);
        }
        else
        {
            // One client's messages that change leases are processed one at a time (Kea's client
            // handler), so a retransmitted Request handled by two workers can't create two leases;
            // the claim keeps reclamation and lease commands off the client's leases meanwhile.
            if (!await TakeClientTurnAsync(ctx).ConfigureAwait(false))
            {
                return false;
            }

            try
            {
                using var claim = await Allocation.Claims.ClaimAsync(ctx.ClientDuid).ConfigureAwait(false);
                handled = await HandleAsync(handler, ctx).ConfigureAwait(false);
            }
            finally
            {
                _clients.Leave(ctx.ClientDuid);
            }
        }

        if (handled && !ctx.DroppedByHook && ctx.Response is not null)
        {
            return true;
        }

        if (!ctx.DroppedByHook)
        {
            _services.Drop(DropReason.Discarded);
        }

        return false;
    }

    private async ValueTask<bool> HandleAsync(IMessageHandler handler, ProcessingContext ctx)
    {
        if (!await handler.HandleAsync(ctx).ConfigureAwait(false))
        {
            return false;
        }

        HostLookupStage.AddHostClassesAfterAllocation(ctx);

        // The reply to a Release carries no configured options (Kea leaves its option list empty).
        if (!ctx.DroppedByHook && ctx.Query.Type != MessageType.Release)
        {
            await _replyOptions.AppendAsync(ctx).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The client's turn: at once, after its packet in progress, or never (a newer one replaced this: a duplicate).</summary>
    private async ValueTask<bool> TakeClientTurnAsync(ProcessingContext ctx)
    {
        var turn = _clients.EnterAsync(ctx.ClientDuid);
        if (turn.IsCompletedSuccessfully)
        {
            return turn.Result;
        }

        // Waiting for the client's own earlier packet is not being in flight.
        ctx.Flows?.Leave();
        var mine = await turn.ConfigureAwait(false);
        if (ctx.Flows is { } flows)
        {
            await flows.EnterAsync().ConfigureAwait(false);
        }

        if (!mine)
        {
            _services.Drop(DropReason.Duplicate);
            _services.PacketLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_DUPLICATE"), "{Label}: dropped as a newer packet of the same client arrived while an earlier one was being processed", ctx.Query.Label);
        }

        return mine;
    }

    private void Failed(Exception ex)
    {
        _services.Drop(DropReason.ProcessingFailed);
        _services.Log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
    }
}
