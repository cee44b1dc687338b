using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Ddns;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// The Client FQDN option (RFC 4704) as Kea answers it (<see cref="FqdnRules"/>): decided before allocation so the
/// leases carry the name and directions, revisited once the address is known (pool-level DDNS parameters, a subnet
/// changed within a shared network, the <c>ddns6_update</c> hook, a name generated from the address).
/// </summary>
internal sealed class ClientFqdnStage(PipelineServices services)
{
    private readonly HookInvoker _hooks = new(services);

    private readonly ILogger _log = services.Loggers.CreateLogger(Logging.KeaLoggers.Ddns);

    /// <summary>
    /// Decides the reply's Client FQDN option, the leases' host name and update directions (Kea's processClientFqdn).
    /// False when the client's option is invalid (N and S both set): Kea fails to parse such a packet, unless
    /// lenient-option-parsing is on (then N is cleared).
    /// </summary>
    public static bool Decide(ProcessingContext ctx)
    {
        ctx.FqdnForward = false;
        ctx.FqdnReverse = false;
        ctx.FqdnResponse = null;
        ctx.Hostname = ctx.Host?.Hostname;
        if (ctx.Query.Type is not (MessageType.Solicit or MessageType.Request or MessageType.Renew or MessageType.Rebind))
        {
            return true;
        }

        var client = ctx.Query.Message.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn);
        if (client is { ServerUpdates: true, NoUpdate: true })
        {
            if (!ctx.Runtime.Config.LenientOptionParsing)
            {
                return false;
            }

            // lenient-option-parsing: Kea clears N and keeps the option (the client asked for updates after all).
            client.NoUpdate = false;
        }

        var parameters = ctx.Subnet?.Ddns ?? ctx.Runtime.Config.Ddns;
        Apply(ctx, parameters, FqdnRules.Decide(client, ctx.Host?.Hostname, parameters, Enabled(ctx, parameters)));
        return true;
    }

    /// <summary>
    /// After allocation (Kea's checkPostAssignmentChanges, ddns6_update and generateFqdn): recomputes with the first
    /// address's pool parameters or a changed subnet, lets callouts override, generates a missing name, updates the
    /// leases written with other values, and puts the option in the reply.
    /// </summary>
    public async ValueTask FinishAsync(ProcessingContext ctx)
    {
        if (ctx.Response is null || ctx.Ddns is null || ctx.Response.Message.Options.Contains(OptionCode.ClientFqdn))
        {
            return;
        }

        var stored = (ctx.Hostname, ctx.FqdnForward, ctx.FqdnReverse);
        var first = FirstAddress(ctx.Response.Message);
        var parameters = (first is { } address ? ctx.Subnet?.FindPool(address)?.Ddns : null) ?? ctx.Subnet?.Ddns ?? ctx.Runtime.Config.Ddns;
        if (!parameters.Equals(ctx.Ddns) || ctx.ReservedHostnameChanged)
        {
            var client = ctx.Query.Message.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn);
            Apply(ctx, parameters, FqdnRules.Decide(client, ctx.Host?.Hostname, parameters, Enabled(ctx, parameters)));
        }

        if (ctx.FqdnResponse is not null && services.Hooks.HasCallouts(HookPoints.Ddns6Update))
        {
            CallDdns6Update(ctx, parameters);
        }

        if (ctx.Hostname != stored.Hostname || ctx.FqdnForward != stored.FqdnForward || ctx.FqdnReverse != stored.FqdnReverse)
        {
            await AmendAsync(ctx, onlyAddress: null).ConfigureAwait(false);
        }

        if (ctx.FqdnResponse is not { } response)
        {
            return;
        }

        if (response.DomainName.Length == 0 && ctx.Query.Type is MessageType.Request or MessageType.Renew or MessageType.Rebind
            && first is { } generatedFrom)
        {
            var generated = FqdnRules.Generate(generatedFrom, parameters);
            _log.LogDebug(new EventId(0, "DHCP6_DDNS_FQDN_GENERATED"), "{Label}: client did not send a FQDN option; FQDN generated for the client: {Name}", ctx.Query.Label, generated);
            response.DomainName = generated.TrimEnd('.');
            response.IsPartialName = false;
            ctx.Hostname = generated;

            // Kea writes the generated name to the lease of that address only.
            await AmendAsync(ctx, onlyAddress: generatedFrom).ConfigureAwait(false);
        }

        ctx.Response.Message.Options.Add(response);
    }

    private static bool Enabled(ProcessingContext ctx, DdnsParameters parameters) =>
        ctx.Runtime.Config.DhcpDdns.EnableUpdates && parameters.SendUpdates;

    private static void Apply(ProcessingContext ctx, DdnsParameters parameters, FqdnDecision decision)
    {
        ctx.Ddns = parameters;
        ctx.FqdnResponse = decision.Response;
        ctx.Hostname = decision.Hostname;
        ctx.FqdnForward = decision.Forward;
        ctx.FqdnReverse = decision.Reverse;
    }

    /// <summary>
    /// Rewrites this packet's new leases (or only its address lease of <paramref name="onlyAddress"/>) with the
    /// context's name and directions. An address, not a predicate: a lambda capturing it would cost every packet a
    /// closure object, allocated at the method's start whether used or not.
    /// </summary>
    private async ValueTask AmendAsync(ProcessingContext ctx, Ipv6Address? onlyAddress)
    {
        if (ctx.FakeAllocation || ctx.LeaseWork is not { } work)
        {
            return;
        }

        var hostname = ctx.Hostname ?? "";

        // The leases as this packet last wrote them (a snapshot: amending adds changes).
        var (written, _) = CommittedLeases.Of(work.Changes);
        foreach (var lease in written)
        {
            if ((onlyAddress is { } address && (lease.Type != LeaseType.NA || lease.Address != address))
                || (lease.Hostname == hostname && lease.FqdnForward == ctx.FqdnForward && lease.FqdnReverse == ctx.FqdnReverse))
            {
                continue;
            }

            var updated = lease.Clone();
            updated.Hostname = hostname;
            updated.FqdnForward = ctx.FqdnForward;
            updated.FqdnReverse = ctx.FqdnReverse;
            await work.UpdateAsync(lease, updated, LeaseChangeReason.Amended).ConfigureAwait(false);
        }
    }

    /// <summary><c>ddns6_update</c>: callouts may change the host name and the directions (Kea's arguments).</summary>
    private void CallDdns6Update(ProcessingContext ctx, DdnsParameters parameters)
    {
        var handle = ctx.Handle;
        var (_, result) = _hooks.Call(
            HookPoints.Ddns6Update,
            ref handle,
            (ctx, parameters),
            static (h, s) =>
            {
                h.SetArgument("query6", s.ctx.Query);
                h.SetArgument("response6", s.ctx.Response);
                h.SetArgument("subnet6", s.ctx.Subnet is { } subnet ? Hooks.Views.ConfigViews.Of(s.ctx.Runtime.Config).Of(subnet) : null);
                h.SetArgument("hostname", s.ctx.Hostname ?? "");
                h.SetArgument("fwd-update", s.ctx.FqdnForward);
                h.SetArgument("rev-update", s.ctx.FqdnReverse);
                h.SetArgument("ddns-params", Hooks.Views.DdnsViews.ToView(s.parameters));
            },
            static (h, s) => (
                Hostname: h.TryGetArgument<string>("hostname", out var name) ? name : s.ctx.Hostname ?? "",
                Forward: h.TryGetArgument<bool>("fwd-update", out var forward) ? forward : s.ctx.FqdnForward,
                Reverse: h.TryGetArgument<bool>("rev-update", out var reverse) ? reverse : s.ctx.FqdnReverse),
            ctx.Query,
            ctx.Response);
        ctx.Handle = handle;
        if (result.Hostname == (ctx.Hostname ?? "") && result.Forward == ctx.FqdnForward && result.Reverse == ctx.FqdnReverse)
        {
            return;
        }

        _log.LogDebug(new EventId(0, "DHCP6_HOOK_DDNS_UPDATE"), "ddns6_update callouts changed hostname {Old} to {New}, forward {OldForward} to {NewForward}, reverse {OldReverse} to {NewReverse}",
            ctx.Hostname, result.Hostname, ctx.FqdnForward, result.Forward, ctx.FqdnReverse, result.Reverse);
        var name = result.Hostname ?? "";
        if (name.Length > 0 && !name.EndsWith('.'))
        {
            name += ".";
        }

        var response = ctx.FqdnResponse!;
        response.DomainName = name.TrimEnd('.');
        response.IsPartialName = name.Length == 0;
        if (!result.Forward && !result.Reverse)
        {
            // Callouts turned both directions off: tell the client the server does nothing.
            response.ServerUpdates = false;
            response.NoUpdate = true;
        }

        ctx.Hostname = name;
        ctx.FqdnForward = result.Forward;
        ctx.FqdnReverse = result.Reverse;
    }

    /// <summary>The first address of the reply's first IA_NA, when its valid lifetime is not zero.</summary>
    private static Ipv6Address? FirstAddress(Dhcp6Message reply) =>
        reply.Options.Get<IaNaOption>(OptionCode.IaNa)?.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { ValidLifetime: > 0 } address
            ? address.Address
            : null;
}
