using System.Globalization;
using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Hooks.Leases;

namespace Pukeko.Server.BuiltIn.RunScript;

/// <summary>
/// The environment Kea's run script library gives the script, variable by variable: names made of a prefix
/// (<c>QUERY6</c>, <c>LEASE6</c>, <c>LEASES6_AT0</c>, <c>PKT6_IA</c>...) and a field, values written as Kea writes
/// them (DUIDs and hardware addresses as lowercase colon-separated hex, relay options as <c>0x</c> and uppercase
/// hex, a missing object as empty values).
/// </summary>
internal sealed class RunScriptVariables
{
    private readonly List<KeyValuePair<string, string>> _variables = [];

    /// <summary>The variables in the order they were added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables => _variables;

    public void Add(string name, string value) => _variables.Add(new(name, value));

    private void Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public void AddBoolean(string name, bool value) => Add(name, value ? "true" : "false");

    /// <summary>A query: <c>_TYPE</c>, <c>_TXID</c>, addresses, ports, interface, <c>_PROTO</c>, <c>_CLIENT_ID</c>, and the relays' interface-id, remote-id and subscriber-id (Kea 2.7+).</summary>
    public void AddPacket(Dhcp6Packet? packet, string prefix)
    {
        if (packet is null)
        {
            foreach (var field in (ReadOnlySpan<string>)["_TYPE", "_TXID", "_LOCAL_ADDR", "_LOCAL_PORT", "_REMOTE_ADDR", "_REMOTE_PORT", "_IFACE_INDEX", "_IFACE_NAME", "_REMOTE_HWADDR", "_REMOTE_HWADDR_TYPE", "_PROTO", "_CLIENT_ID"])
            {
                Add(prefix + field, "");
            }

            return;
        }

        Add(prefix + "_TYPE", MessageName(packet.Type));
        Add(prefix + "_TXID", packet.TransactionId);
        Add(prefix + "_LOCAL_ADDR", packet.LocalAddress.ToString());
        Add(prefix + "_LOCAL_PORT", packet.LocalPort);
        Add(prefix + "_REMOTE_ADDR", packet.RemoteAddress.ToString());
        Add(prefix + "_REMOTE_PORT", packet.RemotePort);
        Add(prefix + "_IFACE_INDEX", packet.InterfaceIndex);
        Add(prefix + "_IFACE_NAME", packet.InterfaceName);

        // Kea fills the remote hardware address of a DHCPv6 packet only from raw sockets, which DHCPv6 does not use.
        Add(prefix + "_REMOTE_HWADDR", "");
        Add(prefix + "_REMOTE_HWADDR_TYPE", "");
        Add(prefix + "_PROTO", "UDP");
        Add(prefix + "_CLIENT_ID", packet.Message.Options.Get(OptionCode.ClientId) is { } clientId ? HexText.Format(clientId.GetData()) : "");
        foreach (var code in (ReadOnlySpan<ushort>)[OptionCode.InterfaceId, OptionCode.RemoteId, OptionCode.SubscriberId])
        {
            if (RelayOption(packet, code) is { } option)
            {
                var data = option.GetData();
                Add($"{prefix}_OPTION_{code}", data.Length == 0 ? "" : "0x" + Convert.ToHexString(data));
            }
        }
    }

    /// <summary>A lease: address, times, host name, hardware address, state, subnet, DUID, IAID, lifetimes, prefix length, type.</summary>
    public void AddLease(Lease6? lease, string prefix)
    {
        if (lease is null)
        {
            foreach (var field in (ReadOnlySpan<string>)["_ADDRESS", "_CLTT", "_HOSTNAME", "_HWADDR", "_HWADDR_TYPE", "_STATE", "_SUBNET_ID", "_VALID_LIFETIME", "_DUID", "_IAID", "_PREFERRED_LIFETIME", "_PREFIX_LEN", "_TYPE"])
            {
                Add(prefix + field, "");
            }

            return;
        }

        Add(prefix + "_ADDRESS", lease.Address.ToString());
        Add(prefix + "_CLTT", lease.Cltt);
        Add(prefix + "_HOSTNAME", lease.Hostname);
        if (lease.HardwareAddress is { } hardware)
        {
            Add(prefix + "_HWADDR", HexText.Format(hardware));
            Add(prefix + "_HWADDR_TYPE", lease.HardwareType);
        }
        else
        {
            Add(prefix + "_HWADDR", "");
            Add(prefix + "_HWADDR_TYPE", "");
        }

        Add(prefix + "_STATE", StateName(lease.State));
        Add(prefix + "_SUBNET_ID", lease.SubnetId);
        Add(prefix + "_VALID_LIFETIME", lease.ValidLifetime);
        Add(prefix + "_DUID", HexText.Format(lease.Duid.Bytes));
        Add(prefix + "_IAID", lease.Iaid);
        Add(prefix + "_PREFERRED_LIFETIME", lease.PreferredLifetime);
        Add(prefix + "_PREFIX_LEN", lease.PrefixLength);
        Add(prefix + "_TYPE", lease.Type switch { LeaseType.NA => "IA_NA", LeaseType.TA => "IA_TA", LeaseType.PD => "IA_PD", var other => $"unknown ({(int)other})" });
    }

    /// <summary><c>_SIZE</c>, then each lease as <c>_AT0</c>, <c>_AT1</c>...; a missing list is size 0.</summary>
    public void AddLeases(IReadOnlyList<Lease6>? leases, string prefix)
    {
        Add(prefix + "_SIZE", leases?.Count ?? 0);
        for (var i = 0; i < (leases?.Count ?? 0); i++)
        {
            AddLease(leases![i], $"{prefix}_AT{i}");
        }
    }

    /// <summary>An IA_NA or IA_PD of the reply: <c>_IAID</c>, <c>_IA_TYPE</c> (the option code), <c>_IA_T1</c>, <c>_IA_T2</c>.</summary>
    public void AddIa(DhcpOption? ia, string prefix)
    {
        (uint Iaid, uint T1, uint T2)? fields = ia switch
        {
            IaNaOption na => (na.Iaid, na.T1, na.T2),
            IaPdOption pd => (pd.Iaid, pd.T1, pd.T2),
            _ => null,
        };
        if (fields is not { } f)
        {
            foreach (var field in (ReadOnlySpan<string>)["_IAID", "_IA_TYPE", "_IA_T1", "_IA_T2"])
            {
                Add(prefix + field, "");
            }

            return;
        }

        Add(prefix + "_IAID", f.Iaid);
        Add(prefix + "_IA_TYPE", ia!.Code);
        Add(prefix + "_IA_T1", f.T1);
        Add(prefix + "_IA_T2", f.T2);
    }

    /// <summary>The first <paramref name="code"/> option of the relays, searched from the relay closest to the client outwards (Kea's RELAY_SEARCH_FROM_CLIENT).</summary>
    private static DhcpOption? RelayOption(Dhcp6Packet packet, ushort code)
    {
        for (var i = packet.Relays.Count - 1; i >= 0; i--)
        {
            if (packet.Relays[i].Options.Get(code) is { } option)
            {
                return option;
            }
        }

        return null;
    }

    /// <summary>Kea's message type names (<c>Pkt6::getName</c>).</summary>
    public static string MessageName(MessageType type) => type switch
    {
        MessageType.Solicit => "SOLICIT",
        MessageType.Advertise => "ADVERTISE",
        MessageType.Request => "REQUEST",
        MessageType.Confirm => "CONFIRM",
        MessageType.Renew => "RENEW",
        MessageType.Rebind => "REBIND",
        MessageType.Reply => "REPLY",
        MessageType.Release => "RELEASE",
        MessageType.Decline => "DECLINE",
        MessageType.Reconfigure => "RECONFIGURE",
        MessageType.InformationRequest => "INFORMATION_REQUEST",
        MessageType.RelayForward => "RELAY_FORWARD",
        MessageType.RelayReply => "RELAY_REPLY",
        MessageType.Leasequery => "LEASEQUERY",
        MessageType.LeasequeryReply => "LEASEQUERY_REPLY",
        MessageType.LeasequeryDone => "LEASEQUERY_DONE",
        MessageType.LeasequeryData => "LEASEQUERY_DATA",
        MessageType.Dhcpv4Query => "DHCPV4_QUERY",
        MessageType.Dhcpv4Response => "DHCPV4_RESPONSE",
        _ => "UNKNOWN",
    };

    /// <summary>Kea's lease state names (<c>Lease::basicStatesToText</c>).</summary>
    public static string StateName(LeaseState state) => state switch
    {
        LeaseState.Default => "default",
        LeaseState.Declined => "declined",
        LeaseState.ExpiredReclaimed => "expired-reclaimed",
        LeaseState.Released => "released",
        LeaseState.Registered => "registered",
        _ => $"unknown ({(uint)state})",
    };
}
