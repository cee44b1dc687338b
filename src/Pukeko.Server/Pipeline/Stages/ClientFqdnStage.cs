using System.Text;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>The Client FQDN option (RFC 4704) as Kea answers it without DNS updates configured.</summary>
internal sealed class ClientFqdnStage(PipelineServices services)
{
    /// <summary>Kea's <c>ddns-generated-prefix</c> default, used when the client sends an empty name.</summary>
    private const string GeneratedPrefix = "myhost";

    /// <summary>
    /// Decides the reply's Client FQDN option and the leases' host name before allocation (Kea's processClientFqdn).
    /// DNS updates are not performed (no dhcp-ddns), so per RFC 4704 §5 the server answers N=1, S=0, and sets O when
    /// the client asked for S=1. A partial name is made fully qualified (no qualifying suffix is configured); a
    /// reserved hostname replaces the client's name.
    /// </summary>
    public static void Decide(ProcessingContext ctx)
    {
        ctx.Hostname = ctx.Host?.Hostname;
        if (ctx.Query.Type is not (MessageType.Solicit or MessageType.Request or MessageType.Renew or MessageType.Rebind)
            || ctx.Query.Message.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn) is not { } fqdn)
        {
            return;
        }

        var flags = ClientFqdnOption.FlagN;
        if (fqdn.ServerUpdates)
        {
            flags |= ClientFqdnOption.FlagO;
        }

        var name = ctx.Host?.Hostname ?? fqdn.DomainName;
        var response = new ClientFqdnOption(flags, name.TrimEnd('.'), isPartialName: name.Length == 0);
        ctx.FqdnResponse = response;
        if (name.Length > 0)
        {
            ctx.Hostname = response.DomainName + ".";
        }
    }

    /// <summary>
    /// After allocation: an empty client name gets one generated from the first leased address, as Kea's
    /// generateFqdn does ("myhost-2001-db8--10."), and the option goes into the reply.
    /// </summary>
    public async ValueTask FinishAsync(ProcessingContext ctx)
    {
        if (ctx.FqdnResponse is not { } response || ctx.Response is null || ctx.Response.Message.Options.Contains(OptionCode.ClientFqdn))
        {
            return;
        }

        if (response.DomainName.Length == 0 && FirstLeasedAddress(ctx.Response.Message) is { } address)
        {
            var generated = new StringBuilder(GeneratedPrefix).Append('-').Append(address.ToString().Replace(':', '-')).ToString();
            response.DomainName = generated;
            response.IsPartialName = false;
            ctx.Hostname = generated + ".";
            // The leases this packet wrote without a name get the generated one (a snapshot: amending adds changes).
            var unnamed = ctx.LeaseWork?.Changes.Where(c => c.New is { State: LeaseState.Default, Hostname.Length: 0 }).Select(c => c.New!).ToList() ?? [];
            foreach (var written in unnamed)
            {
                var named = written.Clone();
                named.Hostname = ctx.Hostname;
                await services.Allocation.WorkFor(ctx).UpdateAsync(written, named, LeaseChangeReason.Amended).ConfigureAwait(false);
            }
        }

        ctx.Response.Message.Options.Add(response);
    }

    private static Pukeko.Protocol.Addressing.Ipv6Address? FirstLeasedAddress(Dhcp6Message reply)
    {
        foreach (var option in reply.Options)
        {
            if (option is IaNaOption ia && ia.Options.Get<IaAddressOption>(OptionCode.IaAddr) is { ValidLifetime: > 0 } address)
            {
                return address.Address;
            }
        }

        return null;
    }
}
