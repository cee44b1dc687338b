using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

// The packet hook points (digest §2, §3.2): buffer6_receive, pkt6_receive, subnet6_select,
// leases6_committed, pkt6_send, buffer6_send, and parking. Each is guarded by a callout count so
// a server without hook libraries builds no arguments.
public sealed partial class Dhcp6Processor
{
    /// <summary>Size of the buffer a resumed (parked) reply is encoded into.</summary>
    private const int ParkedReplyBufferSize = 9216;

    /// <summary>The hooks the pipeline calls; the allocation engine uses the same manager.</summary>
    public HooksManager Hooks
    {
        get => _hooks;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _hooks = value;
            Allocation.Hooks = value;
        }
    }

    /// <summary>Sends replies of packets that were parked and resumed later (set by the transport).</summary>
    public Action<OutgoingDatagram>? ParkedReplySender { get; set; }

    /// <summary><c>buffer6_receive</c>: the callouts see the raw datagram before parsing.</summary>
    private Dhcp6Packet? ReceiveBuffer(ReceivedDatagram datagram, ref CalloutHandle? handle)
    {
        PipelineLog.BufferReceived(_packetLog, datagram.RemoteAddress, datagram.RemotePort, datagram.LocalAddress, datagram.LocalPort, datagram.InterfaceName, datagram.Length);
        var query = new Dhcp6Packet(EmptyMessage())
        {
            Data = datagram.Data.ToArray(),
            RemoteAddress = datagram.RemoteAddress,
            RemotePort = datagram.RemotePort,
            LocalAddress = datagram.LocalAddress,
            LocalPort = datagram.LocalPort,
            InterfaceIndex = datagram.InterfaceIndex,
            InterfaceName = datagram.InterfaceName,
            ReceivedAt = datagram.ReceivedAt,
        };

        handle ??= _hooks.CreateHandle();
        handle.SetArgument("query6", query);
        query.CopyRetrievedOptions = true;
        var status = _hooks.Call(HookPoints.Buffer6Receive, handle);
        var returned = handle.TryGetArgument<Dhcp6Packet>("query6", out var q) ? q : null;
        HooksManager.EndCall(handle, query, returned);
        if (returned is null || status == NextStep.Drop)
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_RCVD_DROP"), "received buffer from {Remote} to {Local} over interface {Interface} was dropped because a callout set the drop flag", datagram.RemoteAddress, datagram.LocalAddress, datagram.InterfaceName);
            return null;
        }

        if (status == NextStep.Skip)
        {
            // The callout parsed the buffer itself (digest §2).
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_RCVD_SKIP"), "received buffer from {Remote} was parsed by a callout", datagram.RemoteAddress);
            return returned;
        }

        return Unpack(returned.Data ?? [], returned) ? returned : null;
    }

    /// <summary><c>pkt6_receive</c>: false when a callout dropped the packet (SKIP or DROP, or a null <c>query6</c>).</summary>
    private bool ReceivePacket(ref Dhcp6Packet query, ref CalloutHandle? handle)
    {
        handle ??= _hooks.CreateHandle();
        handle.SetArgument("query6", query);
        query.CopyRetrievedOptions = true;
        var status = _hooks.Call(HookPoints.Pkt6Receive, handle);
        var returned = handle.TryGetArgument<Dhcp6Packet>("query6", out var q) ? q : null;
        HooksManager.EndCall(handle, query, returned);
        if (returned is null || status is NextStep.Skip or NextStep.Drop)
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_PACKET_RCVD_SKIP"), "{Label}: packet is dropped, because a callout set the next step to {Status}", query.Label, status);
            return false;
        }

        query = returned;
        return true;
    }

    /// <summary><c>subnet6_select</c>: a callout may choose another configured subnet, none (SKIP), drop or park.</summary>
    private HookFlow SelectSubnetHook(ProcessingContext ctx) =>
        CallParkable(
            HookPoints.Subnet6Select,
            ctx,
            handle =>
            {
                handle.SetArgument("query6", ctx.Query);
                handle.SetArgument("subnet6", ctx.Subnet);
                handle.SetArgument("subnet6collection", ctx.Runtime.Subnets);
            },
            (handle, status) =>
            {
                if (handle.TryGetArgument<Dhcp6Packet>("query6", out var query) && query is not null)
                {
                    ctx.Query = query;
                }

                if (status == NextStep.Skip)
                {
                    _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_SUBNET6_SELECT_SKIP"), "{Label}: no subnet was selected, because a callout set the next skip flag", ctx.Query.Label);
                    ctx.Subnet = null;
                    return;
                }

                if (handle.TryGetArgument<Subnet6>("subnet6", out var chosen) && !ReferenceEquals(chosen, ctx.Subnet))
                {
                    // Only a configured subnet can serve the client; anything else is ignored.
                    if (chosen is null || ctx.Runtime.Subnets.Contains(chosen))
                    {
                        ctx.Subnet = chosen;
                    }
                    else
                    {
                        _log.LogWarning(new EventId(0, "DHCP6_HOOK_SUBNET6_SELECT_INVALID"), "{Label}: a subnet6_select callout returned {Subnet}, which is not configured; ignored", ctx.Query.Label, chosen);
                    }
                }
            },
            static (processor, c, output) => processor.ContinueAtDispatch(c, output));

    /// <summary><c>leases6_committed</c>: after the leases are stored; DROP discards the reply, PARK holds it.</summary>
    private HookFlow LeasesCommittedHook(ProcessingContext ctx) =>
        CallParkable(
            HookPoints.Leases6Committed,
            ctx,
            handle =>
            {
                handle.SetArgument("query6", ctx.Query);
                handle.SetArgument("response6", ctx.Response);
                handle.SetArgument<IReadOnlyList<Lease6>>("leases6", ctx.NewLeases);
                handle.SetArgument<IReadOnlyList<Lease6>>("deleted_leases6", ctx.DeletedLeases);
            },
            static (_, _) => { },
            static (processor, c, output) => processor.ContinueAtSend(c, output));

    /// <summary><c>pkt6_send</c>, pack, <c>buffer6_send</c>; returns what to send (null when a callout dropped it).</summary>
    private OutgoingDatagram? ContinueAtSend(ProcessingContext ctx, byte[] output)
    {
        try
        {
            var response = ctx.Response!;
            byte[]? raw = null;
            if (_hooks.HasCallouts(HookPoints.Pkt6Send))
            {
                var handle = ctx.Handle ??= _hooks.CreateHandle();
                handle.SetArgument("query6", ctx.Query);
                handle.SetArgument("response6", response);
                handle.SetArgument("subnet6", ctx.Subnet);
                ctx.Query.CopyRetrievedOptions = true;
                response.CopyRetrievedOptions = true;
                var status = _hooks.Call(HookPoints.Pkt6Send, handle);
                var returned = handle.TryGetArgument<Dhcp6Packet>("response6", out var r) ? r : null;
                HooksManager.EndCall(handle, ctx.Query, response);
                if (returned is not null)
                {
                    returned.CopyRetrievedOptions = false;
                }

                if (returned is null || status == NextStep.Drop)
                {
                    _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_PACKET_SEND_DROP"), "{Label}: prepared DHCPv6 response was not sent because a callout set the next ste to DROP", ctx.Query.Label);
                    return null;
                }

                response = returned;
                if (status == NextStep.Skip)
                {
                    // The callout packed the reply itself; an empty Data sends an empty datagram, as Kea.
                    raw = response.Data ?? [];
                }
            }

            int length;
            if (raw is not null)
            {
                if (raw.Length > output.Length)
                {
                    _log.LogError(new EventId(0, "DHCP6_PACK_FAIL"), "{Label}: reply of {Length} bytes does not fit the send buffer", response.Label, raw.Length);
                    return null;
                }

                raw.CopyTo(output, 0);
                length = raw.Length;
            }
            else
            {
                length = Encode(response, output);
                if (length < 0)
                {
                    return null;
                }
            }

            if (_hooks.HasCallouts(HookPoints.Buffer6Send))
            {
                var handle = ctx.Handle ??= _hooks.CreateHandle();
                response.Data = output.AsSpan(0, length).ToArray();
                handle.SetArgument("response6", response);
                response.CopyRetrievedOptions = true;
                var status = _hooks.Call(HookPoints.Buffer6Send, handle);
                var returned = handle.TryGetArgument<Dhcp6Packet>("response6", out var r) ? r : null;
                HooksManager.EndCall(handle, response, returned);
                if (returned is null || status is NextStep.Skip or NextStep.Drop)
                {
                    _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_SEND_SKIP"), "{Label}: prepared DHCPv6 response was dropped because a callout set the next step to {Status}", ctx.Query.Label, status);
                    return null;
                }

                response = returned;
                var bytes = response.Data ?? [];
                if (bytes.Length > output.Length)
                {
                    return null;
                }

                bytes.CopyTo(output, 0);
                length = bytes.Length;
            }

            return Sent(response, output, length);
        }
        finally
        {
            FinishHandle(ctx);
        }
    }

    /// <summary>Ends the packet's callout handle (<c>context_destroy</c>) once processing is over.</summary>
    private void FinishHandle(ProcessingContext ctx)
    {
        var handle = ctx.Handle;
        ctx.Handle = null;
        _hooks.ReleaseHandle(handle);
    }

    /// <summary>
    /// A hook point that can park (digest §1.7): the packet is parked before the callouts run
    /// (unless <c>parked-packet-limit</c> is reached: then it is dropped and the callouts are not
    /// called); after them, PARK leaves it parked until a callout unparks it, DROP drops it, and
    /// anything else continues — at once when every callout finished synchronously, else on the
    /// thread pool when the asynchronous ones complete, sending the reply through
    /// <see cref="ParkedReplySender"/>.
    /// </summary>
    private HookFlow CallParkable(
        int hookIndex,
        ProcessingContext ctx,
        Action<CalloutHandle> setArguments,
        Action<CalloutHandle, NextStep> readBack,
        Func<Dhcp6Processor, ProcessingContext, byte[], OutgoingDatagram?> resume)
    {
        var lot = _hooks.LotOf(hookIndex);
        var limit = ctx.Runtime.Config.ParkedPacketLimit;
        if (limit > 0 && lot.Count >= limit)
        {
            Drop(DropReason.QueueFull);
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_LEASES6_PARKING_LOT_FULL"), "The parked-packet-limit {Limit}, has been reached, dropping query: {Label}", limit, ctx.Query.Label);
            return HookFlow.Drop;
        }

        var handle = ctx.Handle ??= _hooks.CreateHandle();
        var parked = ctx.Query;
        lot.Park(parked, () => ThreadPool.UnsafeQueueUserWorkItem(static state => state.Processor.Resume(state.Ctx, state.Resume), (Processor: this, Ctx: ctx, Resume: resume), preferLocal: false));
        ValueTask<NextStep> pending;
        try
        {
            setArguments(handle);
            ctx.Query.CopyRetrievedOptions = true;
            if (ctx.Response is not null)
            {
                ctx.Response.CopyRetrievedOptions = true;
            }

            pending = _hooks.CallAsync(hookIndex, handle);
        }
        catch
        {
            lot.Drop(parked);
            throw;
        }

        if (pending.IsCompleted)
        {
            return Conclude(lot, parked, ctx, handle, pending.Result, readBack, synchronous: true);
        }

        _ = ConcludeLaterAsync(lot, parked, ctx, handle, pending, readBack);
        return HookFlow.Parked;
    }

    private HookFlow Conclude(ParkingLot lot, Dhcp6Packet parked, ProcessingContext ctx, CalloutHandle handle, NextStep status, Action<CalloutHandle, NextStep> readBack, bool synchronous)
    {
        readBack(handle, status);
        HooksManager.EndCall(handle, ctx.Query, ctx.Response);
        parked.CopyRetrievedOptions = false;
        switch (status)
        {
            case NextStep.Park:
                _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_PARK"), "{Label}: packet parked on {Hook}", ctx.Query.Label, lot.HookName);
                return HookFlow.Parked;
            case NextStep.Drop:
                lot.Drop(parked);
                _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_DROP"), "{Label}: packet dropped by a callout on {Hook}", ctx.Query.Label, lot.HookName);
                if (!synchronous)
                {
                    FinishHandle(ctx);
                }

                return HookFlow.Drop;
        }

        if (synchronous)
        {
            lot.Drop(parked);
            return HookFlow.Continue;
        }

        if (!lot.Unpark(parked, force: true))
        {
            // Dropped meanwhile (reconfiguration or shutdown cleared the lot).
            FinishHandle(ctx);
        }

        return HookFlow.Parked;
    }

    private async Task ConcludeLaterAsync(ParkingLot lot, Dhcp6Packet parked, ProcessingContext ctx, CalloutHandle handle, ValueTask<NextStep> pending, Action<CalloutHandle, NextStep> readBack)
    {
        NextStep status;
        try
        {
            status = await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
            status = NextStep.Drop;
        }

        try
        {
            Conclude(lot, parked, ctx, handle, status, readBack, synchronous: false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            lot.Drop(parked);
            Drop(DropReason.ProcessingFailed);
            _log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
        }
    }

    /// <summary>Continues an unparked packet and sends its reply.</summary>
    private void Resume(ProcessingContext ctx, Func<Dhcp6Processor, ProcessingContext, byte[], OutgoingDatagram?> resume)
    {
        try
        {
            if (resume(this, ctx, new byte[ParkedReplyBufferSize]) is { } reply)
            {
                if (ParkedReplySender is { } send)
                {
                    send(reply);
                }
                else
                {
                    _log.LogWarning(new EventId(0, "DHCP6_PARKED_REPLY_NOT_SENT"), "{Label}: reply of an unparked packet dropped: no sender", ctx.Query.Label);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Drop(DropReason.ProcessingFailed);
            _log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
            FinishHandle(ctx);
        }
    }
}
