using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// The last stage (digest §3.2 steps 18–20): <c>pkt6_send</c>, pack the reply into the output
/// buffer, <c>buffer6_send</c>, count it as sent and address it.
/// </summary>
internal sealed class SendStage(PipelineServices services, HookInvoker hooks)
{
    private readonly ILogger _packetLog = services.PacketLog;

    /// <summary>What to send, or null when a callout dropped the reply or it does not fit.</summary>
    public OutgoingDatagram? Send(ProcessingContext ctx, byte[] output)
    {
        var response = ctx.Response!;
        byte[]? raw = null;
        if (hooks.HasCallouts(HookPoints.Pkt6Send))
        {
            var handle = ctx.Handle;
            var (status, returned) = hooks.Call(
                HookPoints.Pkt6Send,
                ref handle,
                ctx,
                static (h, c) =>
                {
                    h.SetArgument("query6", c.Query);
                    h.SetArgument("response6", c.Response);
                    h.SetArgument("subnet6", ConfigViews.Of(c.Runtime.Config).Of(c.Subnet));
                },
                static (h, _) => h.TryGetArgument<Dhcp6Packet>("response6", out var r) ? r : null,
                ctx.Query,
                response);
            ctx.Handle = handle;
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
            if (!Fits(response, raw.Length, output))
            {
                return null;
            }

            raw.CopyTo(output, 0);
            length = raw.Length;
        }
        else
        {
            // Not Relays itself when there are none: reading it makes the list. Nor `[]`: next to a List, that is a new List.
            var relays = response.IsRelayed ? response.Relays : (IReadOnlyList<RelayLayer>)Array.Empty<RelayLayer>();
            length = Dhcp6Writer.GetLength(response.Message, relays);
            if (!Fits(response, length, output))
            {
                return null;
            }

            length = Dhcp6Writer.Write(response.Message, relays, output);
        }

        if (hooks.HasCallouts(HookPoints.Buffer6Send))
        {
            response.Data = output.AsSpan(0, length).ToArray();
            var handle = ctx.Handle;
            var (status, returned) = hooks.Call(
                HookPoints.Buffer6Send,
                ref handle,
                response,
                static (h, r) => h.SetArgument("response6", r),
                static (h, _) => h.TryGetArgument<Dhcp6Packet>("response6", out var r) ? r : null,
                response);
            ctx.Handle = handle;
            if (returned is null || status is NextStep.Skip or NextStep.Drop)
            {
                _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_SEND_SKIP"), "{Label}: prepared DHCPv6 response was dropped because a callout set the next step to {Status}", ctx.Query.Label, status);
                return null;
            }

            response = returned;
            var bytes = response.Data ?? [];
            if (!Fits(response, bytes.Length, output))
            {
                return null;
            }

            bytes.CopyTo(output, 0);
            length = bytes.Length;
        }

        return Sent(response, output, length);
    }

    /// <summary>
    /// The largest reply sent: a UDP datagram's payload over IPv6 without jumbograms. Like Kea, a reply larger than the
    /// link MTU is still sent (the kernel fragments it); what cannot be one datagram is not.
    /// </summary>
    public const int MaxReply = 65_527;

    private bool Fits(Dhcp6Packet response, int length, byte[] output)
    {
        if (length <= output.Length && length <= MaxReply)
        {
            return true;
        }

        // Kea logs this (and counts nothing); counted here as well so a client that provokes it is visible.
        services.Drop(DropReason.ProcessingFailed);
        services.Log.LogError(new EventId(0, "DHCP6_PACK_FAIL"), "{Label}: reply of {Length} bytes does not fit the send buffer", response.Label, length);
        return false;
    }

    /// <summary>Counts the reply as sent and addresses it.</summary>
    private OutgoingDatagram Sent(Dhcp6Packet response, byte[] output, int written)
    {
        if (_packetLog.IsEnabled(LogLevel.Trace))
        {
            PipelineLog.ResponseData(_packetLog, response.Label, (int)response.Type, PipelineLog.Describe(response.Message));
        }

        services.Statistics.CountSent(response.Type);
        if (_packetLog.IsEnabled(LogLevel.Debug))
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_SEND"), "{Label}: trying to send packet {Type} (type {Code}) from [{Local}]:{LocalPort} to [{Remote}]:{RemotePort} on interface {Interface}", response.Label, response.Type, (int)response.Type, response.LocalAddress, response.LocalPort, response.RemoteAddress, response.RemotePort, response.InterfaceName);
        }

        return new OutgoingDatagram(output, written, response.RemoteAddress, response.RemotePort, response.InterfaceIndex);
    }
}
