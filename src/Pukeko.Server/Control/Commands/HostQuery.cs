using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration.Parsing;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Control.Commands;

/// <summary>Kea's <c>operation-target</c> of host commands: which host data sources a command uses.</summary>
internal enum HostTarget
{
    /// <summary>Not given (or "default"): the command's own default.</summary>
    Default,

    /// <summary>The configuration's reservations.</summary>
    Memory,

    /// <summary>The host databases (<c>hosts-database(s)</c>).</summary>
    Database,

    /// <summary>The configuration's reservations and the host databases.</summary>
    All,
}

/// <summary>
/// What a host command looks for: a subnet (0 = global reservations), and an address or an identifier. Parsed with
/// Kea's host_cmds rules and messages.
/// </summary>
internal sealed record HostQuery(uint? SubnetId, Ipv6Address? Address, HostIdentifierType? Type, byte[]? Identifier, HostTarget Target)
{
    /// <summary>Subnet ids are 32-bit; Kea keeps 0xFFFFFFFF as its "unused" marker.</summary>
    public const long MaxSubnetId = uint.MaxValue - 1L;

    /// <summary><c>reservation-get</c>/<c>-del</c>: (subnet-id, ip-address) or (subnet-id, identifier-type, identifier).</summary>
    public static HostQuery Parse(JsonObject? args)
    {
        args = RequireMap(args);
        var hasAddress = KeaParameters.Has(args, "ip-address");
        var hasType = KeaParameters.Has(args, "identifier-type");
        var hasIdentifier = KeaParameters.Has(args, "identifier");
        uint? subnetId = null;
        if (args.ContainsKey("subnet-id") || (!hasAddress && !hasType && !hasIdentifier))
        {
            subnetId = SubnetIdOf(args, "subnet-id") ?? throw new CommandArgumentException("missing parameter 'subnet-id'");
        }

        var target = TargetOf(args);
        if (hasAddress)
        {
            if (args["ip-address"] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
            {
                throw new CommandArgumentException("'ip-address' is not a string.");
            }

            var address = KeaParameters.Address(args, "ip-address");
            return subnetId is null
                ? throw new CommandArgumentException($"missing parameter 'subnet-id', use 'reservation-get-by-address' with 'ip-address' set to \"{text.GetValue<string>()}\" to get the list of reservations with this address")
                : new HostQuery(subnetId, address, null, null, target);
        }

        var (type, identifier, typeName, identifierText) = ParseIdentifier(args, "No 'ip-address' provided and ");
        return subnetId is null
            ? throw new CommandArgumentException($"missing parameter 'subnet-id', use 'reservation-get-by-id' with 'identifier-type' set to \"{typeName}\" and 'identifier' to \"{identifierText}\" to get the list of reservations with this identifier")
            : new HostQuery(subnetId, null, type, identifier, target);
    }

    /// <summary><c>reservation-get-by-id</c>: identifier-type and identifier, in every subnet.</summary>
    public static HostQuery ParseById(JsonObject? args)
    {
        args = RequireMap(args);
        if (args["identifier-type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException("'identifier-type' is either missing or not a string.");
        }

        if (args["identifier"] is not JsonValue i || i.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException("'identifier' is either missing or not a string.");
        }

        if (args.ContainsKey("subnet-id"))
        {
            throw new CommandArgumentException("'subnet-id' is forbidden in reservation-get-by-id");
        }

        var (type, identifier, _, _) = ParseIdentifier(args, "");
        return new HostQuery(null, null, type, identifier, TargetOf(args));
    }

    public static JsonObject RequireMap(JsonObject? args) =>
        args ?? throw new CommandArgumentException("Parameters missing or are not a map.");

    /// <summary>A subnet id parameter: 0 (global) up to <see cref="MaxSubnetId"/>; null when absent.</summary>
    public static uint? SubnetIdOf(JsonObject args, string name)
    {
        var value = KeaParameters.OptionalInteger(args, name);
        return value switch
        {
            null => null,
            >= 0 and <= MaxSubnetId => (uint)value.Value,
            _ => throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"out of range value ({value}) specified for parameter '{name}'")),
        };
    }

    public static HostTarget TargetOf(JsonObject args) => KeaParameters.OptionalString(args, "operation-target") switch
    {
        null or "default" => HostTarget.Default,
        "memory" => HostTarget.Memory,
        "database" => HostTarget.Database,
        "all" => HostTarget.All,
        var other => throw new CommandArgumentException($"The 'operation-target' value ({other}) is not within expected set: (memory, database, all, default)"),
    };

    /// <summary>True when the configuration's reservations are searched (every target but "database").</summary>
    public bool SearchesMemory => Target != HostTarget.Database;

    /// <summary>True for a host this query names by identifier or address.</summary>
    public bool Matches(HostReservation host) =>
        Address is { } address
            ? Reserves(host, address)
            : Type == host.IdentifierType && Identifier.AsSpan().SequenceEqual(host.Identifier);

    /// <summary>True when the host reserves the address, or a prefix starting at it (Kea matches prefixes by address).</summary>
    public static bool Reserves(HostReservation host, Ipv6Address address) =>
        host.IpAddresses.Contains(address) || host.Prefixes.Any(p => p.Address == address);

    private static (HostIdentifierType? Type, byte[] Identifier, string TypeName, string Text) ParseIdentifier(JsonObject args, string lead)
    {
        if (args["identifier-type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException($"{lead}'identifier-type' is either missing or not a string.");
        }

        if (args["identifier"] is not JsonValue i || i.GetValueKind() != JsonValueKind.String)
        {
            throw new CommandArgumentException($"{lead}'identifier' is either missing or not a string.");
        }

        var text = i.GetValue<string>();
        if (!ReservationParser.TryDecodeIdentifier(HostIdentifierType.FlexId, text, out var bytes))
        {
            throw new CommandArgumentException("Unable to parse 'identifier' value.");
        }

        if (bytes.Length == 0)
        {
            throw new CommandArgumentException("Unable to query for empty 'identifier'.");
        }

        var typeName = t.GetValue<string>();
        HostIdentifierType? type = HostIdentifierNames.TryParse(typeName, out var parsed)
            ? parsed
            // Kea knows these names too; no DHCPv6 reservation is made by them, so they find nothing.
            : typeName is "circuit-id" or "client-id" ? null : throw new CommandArgumentException("Value of 'identifier-type' was not recognized.");
        return (type, bytes, typeName, text);
    }
}
