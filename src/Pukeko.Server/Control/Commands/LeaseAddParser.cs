using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Reads the lease map of <c>lease6-add</c>, <c>lease6-update</c> and <c>lease6-bulk-apply</c> into a
/// <see cref="Lease6"/>, checking fields in Kea's order so the first error reported is the one Kea reports.
/// </summary>
internal static class LeaseAddParser
{
    public const string StateValues = "0 (default), 1 (declined), 2 (expired-reclaimed), 3 (released) and 4 (registered)";

    public static Lease6 Parse(JsonObject args, DhcpConfig? config, long now)
    {
        var address = KeaParameters.Address(args, "ip-address");
        var type = LeaseType.NA;
        if (KeaParameters.OptionalString(args, "type") is { } typeName)
        {
            type = typeName switch
            {
                "IA_NA" => LeaseType.NA,
                "IA_PD" => LeaseType.PD,
                _ => throw new CommandArgumentException($"Invalid lease type specified: {typeName}, only supported values are: IA_NA and IA_PD"),
            };
        }

        var duidText = KeaParameters.String(args, "duid");
        byte[] duid;
        try
        {
            duid = KeaHex.DecodeFormatted(duidText);
        }
        catch (FormatException ex)
        {
            throw new CommandArgumentException(ex.Message);
        }

        var subnetId = KeaParameters.OptionalUInt32(args, "subnet-id") ?? 0;
        var subnet = ResolveSubnet(config, address, type, subnetId);
        var iaid = KeaParameters.UInt32(args, "iaid");
        byte prefixLength = 128;
        if (type == LeaseType.PD)
        {
            var length = KeaParameters.UInt32(args, "prefix-len");
            prefixLength = length is >= 1 and <= 128 ? (byte)length : throw new CommandArgumentException($"Invalid prefix length: {length}");
        }

        byte[]? hardware = null;
        if (KeaParameters.OptionalString(args, "hw-address") is { } hwText)
        {
            try
            {
                hardware = KeaHex.DecodeColonSeparated(hwText);
            }
            catch (FormatException ex)
            {
                throw new CommandArgumentException(ex.Message);
            }
        }

        var preferred = KeaParameters.OptionalUInt32(args, "preferred-lft");
        var valid = KeaParameters.OptionalUInt32(args, "valid-lft") ?? subnet.ValidLifetime.Default;

        // Kea: without an explicit preferred lifetime the lease is preferred for as long as it is valid.
        var preferredLifetime = preferred ?? valid;
        var cltt = now;
        if (KeaParameters.OptionalInteger(args, "expire") is { } expire)
        {
            if (expire <= 0)
            {
                throw new CommandArgumentException($"expiration time must be positive for address {address}");
            }

            if (expire < valid)
            {
                throw new CommandArgumentException($"expiration time must be greater than valid lifetime for address {address}");
            }

            cltt = expire - valid;
        }

        var forward = KeaParameters.OptionalBool(args, "fqdn-fwd") ?? false;
        var reverse = KeaParameters.OptionalBool(args, "fqdn-rev") ?? false;
        var hostname = KeaParameters.OptionalString(args, "hostname") ?? "";
        if ((forward || reverse) && hostname.Trim().Length == 0)
        {
            throw new CommandArgumentException("No hostname specified and either forward or reverse fqdn was set to true.");
        }

        var state = LeaseState.Default;
        if (KeaParameters.OptionalInteger(args, "state") is { } stateValue)
        {
            if (stateValue is < 0 or > 4)
            {
                throw new CommandArgumentException($"Invalid state value: {stateValue}, supported values are: {StateValues}");
            }

            state = (LeaseState)stateValue;
            if (type == LeaseType.PD && state == LeaseState.Declined)
            {
                throw new CommandArgumentException("Invalid declined state for PD prefix.");
            }
        }

        string? userContext = null;
        if (args.TryGetPropertyValue("user-context", out var context) && context is not null)
        {
            // Stored as Kea's Element::str() text, so the lease file's user_context column reads as Kea's.
            userContext = context is JsonObject map
                ? CommandJson.SerializeSorted(map)
                : throw new CommandArgumentException($"Invalid user context '{context.ToJsonString()}' is not a JSON map.");
        }

        return new Lease6
        {
            Address = address,
            Type = type,
            PrefixLength = prefixLength,
            Duid = duid,
            Iaid = iaid,
            SubnetId = subnet.Id,
            PoolId = type == LeaseType.NA ? subnet.FindPool(address)?.PoolId ?? 0 : 0,
            PreferredLifetime = preferredLifetime,
            ValidLifetime = valid,
            Cltt = cltt,
            FqdnForward = forward,
            FqdnReverse = reverse,
            Hostname = hostname.ToLowerInvariant(),
            HardwareAddress = hardware,
            HardwareType = hardware is null ? (ushort)0 : (ushort)1,
            State = state,
            UserContext = userContext,
        };
    }

    private static Subnet6 ResolveSubnet(DhcpConfig? config, Ipv6Address address, LeaseType type, uint subnetId)
    {
        var subnets = config?.Subnets ?? [];
        if (subnetId == 0)
        {
            if (type == LeaseType.PD)
            {
                throw new CommandArgumentException("subnet-id 0 is invalid for IA_PD lease; a subnet-id must be specified");
            }

            return subnets.FirstOrDefault(s => s.InRange(address))
                ?? throw new CommandResultException(ControlResult.Conflict, $"subnet-id not specified and failed to find a subnet for address {address}");
        }

        var subnet = config?.FindSubnet(subnetId)
            ?? throw new CommandResultException(ControlResult.Conflict, $"Invalid subnet-id: No IPv6 subnet with subnet-id={subnetId} currently configured.");
        if (type == LeaseType.NA && !subnet.InRange(address))
        {
            throw new CommandResultException(ControlResult.Conflict, $"The address {address} does not belong to subnet {subnet.Prefix}, subnet-id={subnetId}");
        }

        return subnet;
    }
}
