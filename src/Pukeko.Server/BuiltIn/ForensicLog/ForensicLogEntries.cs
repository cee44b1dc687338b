using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Control;
using Pukeko.Hooks.Leases;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// The text of forensic log entries (without the timestamp), worded as Kea's forensic logging library words them so
/// that tools reading Kea's files read these: one entry per lease of a reply and per lease command.
/// </summary>
internal static class ForensicLogEntries
{
    /// <summary>What happened to a lease in a client exchange.</summary>
    public enum LeaseAction
    {
        /// <summary>Assigned or extended (Kea words renewals the same way for DHCPv6).</summary>
        Assigned,

        /// <summary>Released or declined by the client.</summary>
        Released,
    }

    /// <summary>
    /// A lifetime as "[D days ]H hrs M mins S secs", or "infinite duration" for 0xFFFFFFFF.
    /// </summary>
    public static string Duration(uint seconds)
    {
        if (seconds == Lease6.InfiniteLifetime)
        {
            return "infinite duration";
        }

        var days = seconds / 86400;
        var text = string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600 % 24} hrs {seconds / 60 % 60} mins {seconds % 60} secs");
        return days == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{days} days {text}");
    }

    /// <summary>Colon-separated lowercase hex, as Kea prints DUIDs, hardware addresses and relay identifiers.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }

            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Where a lease's hardware address came from, by Kea's source bit.</summary>
    public static string HardwareSourceName(uint source) => source switch
    {
        0x01 => "Raw Socket",
        0x02 => "DUID",
        0x04 => "IPv6 Link Local",
        0x08 => "Client Address Relay Option",
        0x10 => "Remote ID",
        0x20 => "Subscriber ID",
        0x40 => "DOCSIS CMTS",
        0x80 => "DOCSIS MODEM",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// The default entry for one lease of a client exchange: the address or prefix, what happened and for how long, the
    /// client's DUID and hardware address, the relay it came through (first relay's addresses and hop count; the
    /// remote-id, subscriber-id and interface-id closest to the client) and the lease's user context.
    /// </summary>
    public static string Lease(Lease6 lease, Dhcp6Packet? query, LeaseAction action)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var text = new StringBuilder(200);
        if (lease.Type == LeaseType.PD)
        {
            text.Append("Prefix: ").Append(lease.Address).Append('/').Append(lease.PrefixLength.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append("Address: ").Append(lease.Address);
        }

        text.Append(" has been ").Append(action == LeaseAction.Released ? "released" : "assigned");
        text.Append(action == LeaseAction.Released ? " from" : $" for {Duration(lease.ValidLifetime)} to");
        text.Append(" a device with DUID: ").Append(Hex(lease.Duid.Bytes));
        if (lease.HardwareAddress is { Length: > 0 } hardware)
        {
            text.Append(" and hardware address: hwtype=").Append(lease.HardwareType.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(Hex(hardware)).Append(" (from ").Append(HardwareSourceName(lease.HardwareAddressSource)).Append(')');
        }

        if (query is { Relays.Count: > 0 })
        {
            var outer = query.Relays[0];
            text.Append(" connected via relay at address: ").Append(outer.PeerAddress)
                .Append(" for client on link address: ").Append(outer.LinkAddress)
                .Append(", hop count: ").Append(outer.HopCount.ToString(CultureInfo.InvariantCulture));

            var remote = Identifier("remote-id", RelayOptionNearestClient(query, OptionCode.RemoteId));
            var subscriber = Identifier("subscriber-id", RelayOptionNearestClient(query, OptionCode.SubscriberId));
            if (remote is not null || subscriber is not null)
            {
                text.Append(", identified by ").Append(remote).Append(remote is not null && subscriber is not null ? " and " : "").Append(subscriber);
            }

            if (Identifier("interface-id", RelayOptionNearestClient(query, OptionCode.InterfaceId)) is { } location)
            {
                text.Append(", connected at location ").Append(location);
            }
        }

        if (lease.UserContext is { } context)
        {
            text.Append(", context: ").Append(KeaJson(context));
        }

        return text.ToString();
    }

    /// <summary>
    /// The entries for a successful lease command (<c>lease6-add</c>, <c>-update</c>, <c>-del</c>, <c>-bulk-apply</c>);
    /// empty for other commands and failed ones. <paramref name="loggingDisabled"/> says whether a subnet id has
    /// <c>"legal-logging": false</c> in its user context. Throws <see cref="FormatException"/> when an argument the
    /// entry needs is missing or of the wrong type (Kea logs that and writes nothing).
    /// </summary>
    public static IReadOnlyList<string> Command(string name, JsonNode? arguments, JsonObject? response, DateTimeOffset now, Func<long, bool> loggingDisabled) =>
        CommandEntries(name, arguments, response, now, loggingDisabled).Select(e => e.Text).ToList();

    /// <summary>
    /// <see cref="Command"/> with each entry's address as Kea gives it to the store (the <c>address</c> column of the
    /// database backend): <c>ip-address</c>, with <c>/prefix-len</c> for a prefix; empty for a delete by identifier.
    /// </summary>
    public static IReadOnlyList<(string Text, string Address)> CommandEntries(string name, JsonNode? arguments, JsonObject? response, DateTimeOffset now, Func<long, bool> loggingDisabled)
    {
        ArgumentNullException.ThrowIfNull(loggingDisabled);
        if (name is not ("lease6-add" or "lease6-update" or "lease6-del" or "lease6-bulk-apply"))
        {
            return [];
        }

        if (response?["result"] is not JsonValue result || !result.TryGetValue<int>(out var code))
        {
            throw new FormatException("the command's response has no integer 'result'");
        }

        if (code != 0)
        {
            return []; // failed commands are not logged
        }

        if (arguments is not JsonObject args)
        {
            throw new FormatException("the command has no arguments map");
        }

        var entries = new List<(string Text, string Address)>();
        if (name != "lease6-bulk-apply")
        {
            if (LeaseCommand(name, args, now, loggingDisabled) is { } entry)
            {
                entries.Add((entry, CommandAddress(name, args)));
            }

            return entries;
        }

        // Each lease the bulk command applied is logged as its own lease6-del or lease6-update.
        var deleted = args["deleted-leases"];
        var leases = args["leases"];
        if (deleted is null && leases is null)
        {
            throw new FormatException("neither 'deleted-leases' nor 'leases' parameter specified");
        }

        var origin = OptionalString(args, "origin");
        var answer = response["arguments"] as JsonObject;
        void Each(JsonNode? list, string listName, string? failedName, string asCommand)
        {
            if (list is null)
            {
                return;
            }

            if (list is not JsonArray items)
            {
                throw new FormatException($"the '{listName}' parameter must be a list");
            }

            var failed = new HashSet<string>(StringComparer.Ordinal);
            if (answer?[failedName!] is JsonArray failedItems)
            {
                foreach (var item in failedItems)
                {
                    if (item?["ip-address"] is JsonValue address && address.TryGetValue<string>(out var text))
                    {
                        failed.Add(text);
                    }
                }
            }

            foreach (var item in items)
            {
                if (item is not JsonObject lease || OptionalString(lease, "ip-address") is not { } address || failed.Contains(address))
                {
                    continue;
                }

                if (origin is not null && OptionalString(lease, "origin") is null)
                {
                    lease = (JsonObject)lease.DeepClone();
                    lease["origin"] = origin;
                }

                if (LeaseCommand(asCommand, lease, now, loggingDisabled) is { } entry)
                {
                    entries.Add((entry, CommandAddress(asCommand, lease)));
                }
            }
        }

        Each(deleted, "deleted-leases", "failed-deleted-leases", "lease6-del");
        Each(leases, "leases", "failed-leases", "lease6-update");
        return entries;
    }

    /// <summary>The address of a command entry (called once the entry was made, so its required keys are there).</summary>
    private static string CommandAddress(string name, JsonObject args)
    {
        var address = OptionalString(args, "ip-address") ?? string.Empty;
        return name != "lease6-del" && OptionalString(args, "type") is "IA_PD" or "2" && OptionalInteger(args, "prefix-len") is { } length
            ? string.Create(CultureInfo.InvariantCulture, $"{address}/{length}")
            : address;
    }

    private static string? LeaseCommand(string name, JsonObject args, DateTimeOffset now, Func<long, bool> loggingDisabled)
    {
        if (OptionalInteger(args, "subnet-id") is > 0 and var subnetId && loggingDisabled(subnetId))
        {
            return null;
        }

        var text = new StringBuilder(OptionalString(args, "origin") == "ha-partner" ? "HA partner" : "Administrator");
        if (name == "lease6-del")
        {
            if (OptionalString(args, "ip-address") is { } address)
            {
                text.Append(" deleted the lease for address: ").Append(address);
            }
            else
            {
                text.Append(" deleted a lease for a device identified by: ").Append(RequiredString(args, "identifier-type"))
                    .Append(" of ").Append(RequiredString(args, "identifier"));
            }

            return text.ToString();
        }

        text.Append(name == "lease6-add" ? " added a lease of" : " updated information on the lease of");
        var ip = RequiredString(args, "ip-address");
        if (OptionalString(args, "type") is "IA_PD" or "2")
        {
            var length = OptionalInteger(args, "prefix-len") ?? throw new FormatException("'prefix-len' is missing or not an integer");
            text.Append(" prefix: ").Append(ip).Append('/').Append(length.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append(" address: ").Append(ip);
        }

        text.Append(" to a device with DUID: ").Append(RequiredString(args, "duid"));
        if (OptionalString(args, "hw-address") is { } hardware)
        {
            text.Append(", hardware address: ").Append(hardware);
        }

        var duration = OptionalInteger(args, "valid-lft") ?? (OptionalInteger(args, "expire") is { } expire ? expire - now.ToUnixTimeSeconds() : 0);
        if (duration > 0)
        {
            text.Append(" for ").Append(Duration(unchecked((uint)duration)));
        }

        var context = args["user-context"]?.DeepClone();
        if (args["comment"] is { } comment)
        {
            var withComment = context as JsonObject ?? [];
            withComment["comment"] = comment.DeepClone();
            context = withComment;
        }

        if (context is not null)
        {
            text.Append(", context: ").Append(KeaJson(context));
        }

        return text.ToString();
    }

    /// <summary>JSON as Kea's <c>Element::str()</c> writes it: map keys sorted, a space inside braces and after separators.</summary>
    public static string? KeaJson(string json)
    {
        try
        {
            return JsonNode.Parse(json) is { } node ? KeaJson(node) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string KeaJson(JsonNode node) => CommandJson.SerializeSorted(node);

    private static string? OptionalString(JsonObject args, string key) =>
        args[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string RequiredString(JsonObject args, string key) =>
        OptionalString(args, key) ?? throw new FormatException($"'{key}' is missing or not a string");

    private static long? OptionalInteger(JsonObject args, string key) =>
        args[key] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    private static byte[]? RelayOptionNearestClient(Dhcp6Packet query, ushort code)
    {
        for (var i = query.Relays.Count - 1; i >= 0; i--)
        {
            if (query.Relays[i].Options.Get(code) is { } option)
            {
                return option.GetData();
            }
        }

        return null;
    }

    private static string? Identifier(string label, byte[]? data)
    {
        if (data is not { Length: > 0 })
        {
            return null;
        }

        var text = $"{label}: {Hex(data)}";
        return data.AsSpan().ContainsAnyExceptInRange((byte)0x20, (byte)0x7e) ? text : $"{text} ({Encoding.ASCII.GetString(data)})";
    }
}
