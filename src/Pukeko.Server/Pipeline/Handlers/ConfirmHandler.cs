using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>
/// Confirm (RFC 8415 §18.3.3): whether the client's addresses are still on its link. Without
/// addresses to confirm the server stays silent.
/// </summary>
internal sealed class ConfirmHandler : IMessageHandler
{
    public ValueTask<bool> HandleAsync(ProcessingContext ctx) => new(Confirm(ctx));

    private static bool Confirm(ProcessingContext ctx)
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
}
