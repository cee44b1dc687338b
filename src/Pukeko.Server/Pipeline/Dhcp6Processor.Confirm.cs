using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Pipeline;

// Confirm (RFC 8415 §18.3.3) and Information-Request (§18.3.6).
public sealed partial class Dhcp6Processor
{
    private bool ProcessConfirm(ProcessingContext ctx)
    {
        var options = ctx.Query.Message.Options;
        if (!options.Contains(OptionCode.IaNa))
        {
            return false; // nothing to confirm: RFC 8415 §18.3.3 lets the server stay silent
        }

        var anyAddress = false;
        string? offLink = null;
        foreach (var option in options)
        {
            if (option is not IaNaOption ia)
            {
                continue;
            }

            foreach (var sub in ia.Options)
            {
                if (sub is IaAddressOption address)
                {
                    anyAddress = true;
                    if (offLink is null && ctx.Subnet is { } subnet && !IsOnLink(subnet, address.Address))
                    {
                        offLink = $"Address {address.Address} is not on link.";
                    }
                }
            }
        }

        if (!anyAddress)
        {
            return false;
        }

        var response = CreateResponse(ctx, MessageType.Reply).Message;
        if (ctx.Subnet is null)
        {
            response.Options.Add(new StatusCodeOption(StatusCode.NotOnLink, "No subnet selected"));
        }
        else if (offLink is not null)
        {
            response.Options.Add(new StatusCodeOption(StatusCode.NotOnLink, offLink));
        }
        else
        {
            response.Options.Add(new StatusCodeOption(StatusCode.Success, "All addresses are on-link"));
        }

        AppendRequestedOptions(ctx);
        return true;
    }

    /// <summary>An address is on the client's link when any subnet of that link (its shared network) contains it.</summary>
    private static bool IsOnLink(Configuration.Subnet6 subnet, Protocol.Addressing.Ipv6Address address)
    {
        if (subnet.Prefix.Contains(address))
        {
            return true;
        }

        foreach (var sibling in subnet.SharedNetwork?.Subnets ?? [])
        {
            if (sibling.Prefix.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private bool ProcessInformationRequest(ProcessingContext ctx)
    {
        CreateResponse(ctx, MessageType.Reply);
        AppendRequestedOptions(ctx);
        return true;
    }
}
