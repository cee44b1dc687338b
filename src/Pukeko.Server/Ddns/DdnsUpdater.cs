using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Ddns;

/// <summary>
/// Turns lease changes into name-change requests, as Kea does. Changes outside a packet (reclamation, a reused expired
/// lease of another client, release, decline) queue a REMOVE of the old lease's name at once. A packet's own
/// allocations and extensions are gathered while it is processed and, once its reply is complete, give at most one
/// ADD: for the first address of the first IA_NA that needs one, with a REMOVE first when a renewed lease's name or
/// directions changed (or always with <c>ddns-update-on-renew</c>).
/// </summary>
internal sealed class DdnsUpdater(Func<DhcpConfig> config, ILogger log) : ILeaseChangeObserver
{
    /// <summary>Where requests go; null while DDNS is off (requests are then not built at all).</summary>
    public NcrSender? Sender { get; set; }

    /// <summary>Sees every request handed to the sender, in order (tests).</summary>
    internal Action<NameChangeRequest>? Queued { get; set; }

    public void OnLeaseChanged(in LeaseChange change)
    {
        if (Sender is null)
        {
            return;
        }

        switch (change.Reason)
        {
            case LeaseChangeReason.Allocated when IsTakeover(change):
                // Someone's expired lease taken over: its name goes (Kea reclaims it on the way).
                Remove(change.Old!, "reused expired lease");
                break;

            // ADDs are decided per packet, from its changes and its reply (CompletePacket).
            case LeaseChangeReason.Reclaimed when change.Old!.State == LeaseState.Released:
                // Its name went when it was released.
                break;
            case LeaseChangeReason.Released or LeaseChangeReason.Declined or LeaseChangeReason.Reclaimed or LeaseChangeReason.Removed:
                // Removed at once, also when the released lease is kept for affinity (as Kea 2.2, which deletes it).
                Remove(change.Old!, change.Reason.ToString().ToLowerInvariant());
                break;
        }
    }

    /// <summary>
    /// Kea's createNameChangeRequests for a packet's finished reply: REMOVE for a renewed lease whose name or directions
    /// changed, then the ADD for the first IA_NA address that needs one.
    /// </summary>
    public void CompletePacket(ProcessingContext ctx)
    {
        var changes = ctx.LeaseWork?.Changes ?? [];
        if (Sender is null || ctx.Response is not { } response || ctx.FakeAllocation
            || ctx.Query.Type is not (MessageType.Request or MessageType.Renew or MessageType.Rebind or MessageType.Solicit))
        {
            return;
        }

        var parameters = ctx.Ddns ?? ctx.Subnet?.Ddns ?? config().Ddns;
        if (!parameters.SendUpdates || response.Message.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn) is not { } fqdn)
        {
            return;
        }

        var forward = fqdn.ServerUpdates;
        var reverse = !fqdn.NoUpdate;
        var name = fqdn.DomainName.Length == 0 ? "" : fqdn.DomainName.ToLowerInvariant() + ".";
        foreach (var option in response.Message.Options)
        {
            if (option is not IaNaOption ia || ia.Options.Get<IaAddressOption>(OptionCode.IaAddr) is not { } address)
            {
                continue;
            }

            var previous = LiveBefore(changes, address.Address) ?? ctx.ReusedLeases.Find(l => l.Address == address.Address);
            var extendedOnly = false;
            if (previous is not null)
            {
                if (!parameters.UpdateOnRenew && previous.Hostname == name && previous.FqdnForward == forward && previous.FqdnReverse == reverse)
                {
                    extendedOnly = true;
                }
                else
                {
                    Remove(previous, "renewed with other DNS data");
                }
            }

            if (!(forward || reverse) || extendedOnly)
            {
                continue;
            }

            if (name.Length == 0)
            {
                // Kea cannot make a DHCID for an empty name (it drops the packet); Pukeko sends nothing.
                log.LogDebug(new EventId(0, "DHCP6_DDNS_EMPTY_NAME"), "{Label}: no name to update in DNS for {Address}", ctx.Query.Label, address.Address);
                return;
            }

            var request = new NameChangeRequest(NameChangeType.Add, forward, reverse, name, address.Address.ToString(),
                Dhcid.Compute(ctx.ClientDuid, name), 0, parameters.CalculateTtl(address.ValidLifetime), parameters.ConflictResolution);
            log.LogDebug(new EventId(0, "DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST"), "{Label}: created name change request: {Request}", ctx.Query.Label, request);
            Send(request);

            // One address per name, as Kea: the first IA_NA address that needed it.
            return;
        }
    }

    /// <summary>
    /// A REMOVE (or with <paramref name="type"/> an ADD) built from a stored lease (Kea's queueNCR): needs a name and a
    /// direction; prefixes never. False when the lease carries nothing to update or DDNS is off.
    /// </summary>
    public bool QueueFromLease(NameChangeType type, Lease6 lease, string why)
    {
        if (Sender is null || lease.Type == LeaseType.PD || lease.Hostname.Length == 0 || !(lease.FqdnForward || lease.FqdnReverse))
        {
            return false;
        }

        var current = config();
        var parameters = current.FindSubnet(lease.SubnetId)?.Ddns ?? current.Ddns;
        var name = lease.Hostname.ToLowerInvariant();
        if (!name.EndsWith('.'))
        {
            name += ".";
        }

        byte[] dhcid;
        try
        {
            dhcid = Dhcid.Compute(lease.Duid, name);
        }
        catch (ArgumentException ex)
        {
            log.LogError(new EventId(0, "DHCPSRV_QUEUE_NCR_FAILED"), "{Why}: queueing {Type} name change request failed for lease {Address}: {Reason}", why, type, lease.Address, ex.Message);
            return false;
        }

        var ttl = parameters.CalculateTtl(lease.ValidLifetime);
        var request = new NameChangeRequest(type, lease.FqdnForward, lease.FqdnReverse, name, lease.Address.ToString(), dhcid,
            lease.Cltt + ttl, ttl, parameters.ConflictResolution);
        log.LogDebug(new EventId(0, "DHCPSRV_QUEUE_NCR"), "{Why}: name change request to {Type} DNS entry queued: {Request}", why, type == NameChangeType.Add ? "add" : "remove", request);
        return Send(request);
    }

    private void Remove(Lease6 lease, string why) => QueueFromLease(NameChangeType.Remove, lease, why);

    private bool Send(NameChangeRequest request)
    {
        Queued?.Invoke(request);
        return Sender?.TrySend(request) ?? false;
    }

    private static bool IsTakeover(in LeaseChange change) =>
        change.Old is { } previous && change.New is { } taken && !previous.Duid.AsSpan().SequenceEqual(taken.Duid);

    /// <summary>
    /// The client's live lease at <paramref name="address"/> before the packet changed it; null when the packet made it
    /// new (a lease that was released, reclaimed, declined or someone else's has no DNS entries left of this client).
    /// </summary>
    private static Lease6? LiveBefore(IReadOnlyList<LeaseChange> changes, Pukeko.Protocol.Addressing.Ipv6Address address)
    {
        foreach (var change in changes)
        {
            if (change.New is { } updated && updated.Address == address)
            {
                return change.Old is { State: LeaseState.Default } old && !IsTakeover(change) ? old : null;
            }
        }

        return null;
    }
}
