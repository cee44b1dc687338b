using Pukeko.Server.Allocation;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Reservations;

/// <summary>
/// Where host identifiers come from: the DUID from the Client Identifier, the hardware address as Kea learns it
/// (<c>mac-sources</c>), and the flex-id from the <c>host6_identifier</c> hook point through
/// <see cref="FlexId"/> (null until a hook provides one: then no flex-id reservation can match).
/// </summary>
internal sealed class HostIdentifierSource
{
    /// <summary>The <c>host6_identifier</c> seam: given the query context, returns the flex-id bytes or null.</summary>
    public Func<ProcessingContext, byte[]?>? FlexId { get; set; }

    public byte[]? Get(HostIdentifierType type, ProcessingContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        switch (type)
        {
            case HostIdentifierType.Duid:
                return ctx.ClientDuid.Length > 0 ? ctx.ClientDuid : null;
            case HostIdentifierType.HwAddress:
                var (address, _, _) = ctx.ClientHardwareAddress();
                return address is { Length: > 0 } ? address : null;
            case HostIdentifierType.FlexId:
                return FlexId?.Invoke(ctx) is { Length: > 0 } flex ? flex : null;
            default:
                return null;
        }
    }
}
