using System.Text;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Tests.TestSupport;

/// <summary>
/// Renders parsed structures from their typed properties (not from bytes), so comparing two
/// descriptions checks that parsing rebuilt the same object tree, independent of the writer.
/// </summary>
internal static class Describe
{
    public static string Datagram(Dhcp6Message message, IReadOnlyList<RelayLayer> relays)
    {
        var builder = new StringBuilder();
        foreach (var relay in relays)
        {
            builder.Append($"relay({(byte)relay.Type},{relay.HopCount},{relay.LinkAddress},{relay.PeerAddress})");
            Options(builder, relay.Options);
            builder.Append(" / ");
        }

        builder.Append($"msg({(byte)message.Type},{message.TransactionId})");
        Options(builder, message.Options);
        return builder.ToString();
    }

    public static string Options(OptionCollection options)
    {
        var builder = new StringBuilder();
        Options(builder, options);
        return builder.ToString();
    }

    private static void Options(StringBuilder builder, OptionCollection options)
    {
        builder.Append('[');
        foreach (var option in options)
        {
            Option(builder, option);
            builder.Append(';');
        }

        builder.Append(']');
    }

    private static void Option(StringBuilder builder, DhcpOption option)
    {
        builder.Append(option.GetType().Name).Append('#').Append(option.Code).Append('(');
        switch (option)
        {
            case RawOption raw:
                builder.Append(Hex.Of(raw.Data));
                break;
            case DuidOption duid:
                builder.Append(duid.Duid);
                break;
            case IaNaOption ia:
                builder.Append($"{ia.Iaid},{ia.T1},{ia.T2}");
                Options(builder, ia.Options);
                break;
            case IaPdOption ia:
                builder.Append($"{ia.Iaid},{ia.T1},{ia.T2}");
                Options(builder, ia.Options);
                break;
            case IaTaOption ia:
                builder.Append(ia.Iaid);
                Options(builder, ia.Options);
                break;
            case IaAddressOption address:
                builder.Append($"{address.Address},{address.PreferredLifetime},{address.ValidLifetime}");
                Options(builder, address.Options);
                break;
            case IaPrefixOption prefix:
                builder.Append($"{prefix.Prefix}/{prefix.PrefixLength},{prefix.PreferredLifetime},{prefix.ValidLifetime}");
                Options(builder, prefix.Options);
                break;
            case StatusCodeOption status:
                builder.Append($"{(ushort)status.Status},{status.Message}");
                break;
            case OptionRequestOption oro:
                builder.Append(string.Join(',', oro.Codes));
                break;
            case PreferenceOption preference:
                builder.Append(preference.Value);
                break;
            case ElapsedTimeOption elapsed:
                builder.Append(elapsed.Value);
                break;
            case VendorOptsOption vendor:
                builder.Append(vendor.EnterpriseNumber);
                Options(builder, vendor.Options);
                break;
            case RemoteIdOption remote:
                builder.Append($"{remote.EnterpriseNumber},{Hex.Of(remote.RemoteId)}");
                break;
            case RelaySourcePortOption port:
                builder.Append(port.Port);
                break;
            case AddressListOption list:
                builder.Append(string.Join(',', list.Addresses));
                break;
            case DomainListOption names:
                builder.Append(string.Join(',', names.Names));
                break;
            case ClientFqdnOption fqdn:
                builder.Append($"{fqdn.Flags},{fqdn.DomainName},{fqdn.IsPartialName}");
                break;
            case EmptyOption:
                break;
            case NtpServerOption ntp:
                Options(builder, ntp.Options);
                break;
            case AddressOption address:
                builder.Append(address.Address);
                break;
            case DomainNameOption name:
                builder.Append(name.Name);
                break;
            default:
                throw new InvalidOperationException($"Describe does not know {option.GetType().Name}; add it so the comparison is structural");
        }

        builder.Append(')');
    }
}
