using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The pattern every hook point of the pipeline follows: set the arguments, call the callouts, read
/// the arguments back, reset the handle. Options of the packets handed over are copied on retrieval
/// while the callouts run (digest §1.5). A point that can park is awaited: the packet waits in the
/// point's parking lot and its processing continues when a callout unparks it, with no thread held.
/// </summary>
internal sealed class HookInvoker(PipelineServices services)
{
    public bool HasCallouts(int hookIndex) => services.Hooks.HasCallouts(hookIndex);

    /// <summary>Calls a point that cannot park; <paramref name="read"/> runs before the handle is reset.</summary>
    public (NextStep Status, TResult Result) Call<TState, TResult>(
        int hookIndex,
        ref CalloutHandle? handle,
        TState state,
        Action<CalloutHandle, TState> setArguments,
        Func<CalloutHandle, TState, TResult> read,
        Dhcp6Packet? copied,
        Dhcp6Packet? copiedToo = null)
    {
        var hooks = services.Hooks;
        handle ??= hooks.CreateHandle();
        setArguments(handle, state);
        CopyOnRetrieve(copied, copiedToo);
        NextStep status;
        TResult result;
        try
        {
            status = hooks.Call(hookIndex, handle);
            result = read(handle, state);
        }
        finally
        {
            HooksManager.EndCall(handle, copied, copiedToo);
        }

        return (status, result);
    }

    /// <summary>
    /// Calls a point that can park (digest §1.7). The packet is parked before the callouts run (when
    /// <c>parked-packet-limit</c> is reached it is dropped instead, counted as <c>pkt6-queue-full</c>,
    /// and no callout is called). After them DROP drops it; PARK waits until a callout unparks it;
    /// anything else continues. False when the packet is not to go on (dropped here, by a callout,
    /// or discarded from the lot by a reconfiguration while it waited).
    /// </summary>
    public async ValueTask<bool> CallParkableAsync<TState>(
        int hookIndex,
        ProcessingContext ctx,
        TState state,
        Action<CalloutHandle, ProcessingContext> setArguments,
        Action<CalloutHandle, NextStep, ProcessingContext, TState> readBack)
    {
        var hooks = services.Hooks;
        var lot = hooks.LotOf(hookIndex);
        var limit = ctx.Runtime.Config.ParkedPacketLimit;
        if (limit > 0 && lot.Count >= limit)
        {
            services.Drop(DropReason.QueueFull);
            services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_LEASES6_PARKING_LOT_FULL"), "The parked-packet-limit {Limit}, has been reached, dropping query: {Label}", limit, ctx.Query.Label);
            return false;
        }

        var handle = ctx.Handle ??= hooks.CreateHandle();
        var parked = ctx.Query;
        var waiter = new ParkedPacket();
        lot.Park(parked, waiter.Unparked, waiter.Discarded);
        NextStep status;
        try
        {
            setArguments(handle, ctx);
            CopyOnRetrieve(ctx.Query, ctx.Response);
            var pending = hooks.CallAsync(hookIndex, handle);
            status = pending.IsCompleted ? pending.Result : await AwaitCalloutsAsync(pending, ctx.Flows).ConfigureAwait(false);
            readBack(handle, status, ctx, state);
        }
        catch
        {
            lot.Drop(parked);
            throw;
        }
        finally
        {
            HooksManager.EndCall(handle, ctx.Query, ctx.Response);
            parked.CopyRetrievedOptions = false;
        }

        switch (status)
        {
            case NextStep.Drop:
                lot.Drop(parked);
                services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_DROP"), "{Label}: packet dropped by a callout on {Hook}", ctx.Query.Label, lot.HookName);
                return false;
            case NextStep.Park:
                services.PacketLog.LogDebug(new EventId(0, "DHCP6_HOOK_PARK"), "{Label}: packet parked on {Hook}", ctx.Query.Label, lot.HookName);
                return await WaitWhileParkedAsync(waiter, ctx.Flows).ConfigureAwait(false);
            default:
                // Still parked: it goes on now. Gone: a callout unparked it (go on) or a reconfiguration cleared the lot.
                return lot.Drop(parked) || !waiter.WasDiscarded;
        }
    }

    /// <summary>lease6_release / lease6_decline: <c>query6</c> and <c>lease6</c> (in/out).</summary>
    public (NextStep Status, Leases.Lease6 Lease) CallLeaseHook(int hookIndex, ProcessingContext ctx, Leases.Lease6 lease)
    {
        var handle = ctx.Handle;
        var (status, returned) = Call(
            hookIndex,
            ref handle,
            (ctx.Query, lease),
            static (h, s) =>
            {
                h.SetArgument("query6", s.Query);

                // Kea never reads lease6 back here; Pukeko does (a callout may edit lifetimes or the user
                // context), so it must still be this client's lease at this address.
                LeaseArgument.SetFixed(h, s.lease);
            },
            static (h, s) => LeaseArgument.Read(h, s.lease),
            ctx.Query);
        ctx.Handle = handle;
        return (status, returned);
    }

    private static void CopyOnRetrieve(Dhcp6Packet? first, Dhcp6Packet? second)
    {
        if (first is not null)
        {
            first.CopyRetrievedOptions = true;
        }

        if (second is not null)
        {
            second.CopyRetrievedOptions = true;
        }
    }

    /// <summary>Asynchronous callouts still running: the packet is not counted in flight while it waits for them.</summary>
    private async ValueTask<NextStep> AwaitCalloutsAsync(ValueTask<NextStep> pending, Concurrency.InFlightGate? flows)
    {
        flows?.Leave();
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            services.Log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
            return NextStep.Drop;
        }
        finally
        {
            if (flows is not null)
            {
                await flows.EnterAsync().ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<bool> WaitWhileParkedAsync(ParkedPacket waiter, Concurrency.InFlightGate? flows)
    {
        // A parked packet is not in flight: a reconfiguration does not wait for it (it clears the lots).
        flows?.Leave();
        var resumed = await waiter.Task.ConfigureAwait(false);
        if (flows is not null)
        {
            await flows.EnterAsync().ConfigureAwait(false);
        }

        return resumed;
    }

    /// <summary>What a parked packet waits for: true when unparked, false when dropped from the lot.</summary>
    private sealed class ParkedPacket
    {
        // Continuations run on the thread pool, never inside the callout that unparks.
        private readonly TaskCompletionSource<bool> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _discarded;

        public Task<bool> Task => _outcome.Task;

        public bool WasDiscarded => _discarded;

        public void Unparked() => _outcome.TrySetResult(true);

        public void Discarded()
        {
            _discarded = true;
            _outcome.TrySetResult(false);
        }
    }
}
