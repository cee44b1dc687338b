using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Reads the <c>Dhcp6</c> map into a <see cref="GlobalDraft"/>; one handler per Kea key.</summary>
internal static class Dhcp6Parser
{
    private static readonly KeyTable<GlobalDraft> Keys = CreateKeys();

    public static GlobalDraft Parse(JsonElement dhcp6, ParseContext context)
    {
        // Kea 2.x's data-directory holds the default lease file (and, beside it, the server-id file).
        var environment = context.Environment;
        if (dhcp6.ValueKind == JsonValueKind.Object && dhcp6.TryGetProperty("data-directory", out var dataDirectory)
            && dataDirectory.ValueKind == JsonValueKind.String && dataDirectory.GetString() is { Length: > 0 } dir)
        {
            environment = environment with { DataDirectory = dir };
        }

        var draft = new GlobalDraft(environment);
        context.WrittenForKea3 = dhcp6.ValueKind == JsonValueKind.Object && dhcp6.TryGetProperty("control-sockets", out _);
        draft.WrittenForKea3 = context.WrittenForKea3;
        context.IpReservationsUnique = !(dhcp6.ValueKind == JsonValueKind.Object && dhcp6.TryGetProperty("ip-reservations-unique", out var unique)
            && unique.ValueKind == JsonValueKind.False);

        // Option data is encoded by definition, so custom definitions must be known first, wherever they appear.
        if (dhcp6.ValueKind == JsonValueKind.Object && dhcp6.TryGetProperty("option-def", out var definitions))
        {
            OptionDefParser.ParseList(definitions, ParseContext.Child(GlobalDraft.Path, "option-def"), context);
        }

        Keys.Walk(dhcp6, GlobalDraft.Path, draft, context);

        // After the walk: its old spellings of global keys count only where the global level is silent.
        if (dhcp6.ValueKind == JsonValueKind.Object && dhcp6.TryGetProperty("dhcp-ddns", out var dhcpDdns))
        {
            DhcpDdnsParser.Parse(draft, dhcp6, dhcpDdns, ParseContext.Child(GlobalDraft.Path, "dhcp-ddns"), context);
        }

        draft.Ddns.Check(GlobalDraft.Path, context);
        ServerBehaviourKeys.Finish(draft, context);
        return draft;
    }

    private static KeyTable<GlobalDraft> CreateKeys()
    {
        var keys = new KeyTable<GlobalDraft>("Dhcp6")
            .On("interfaces-config", InterfacesConfigParser.Parse)
            .On("subnet6", (d, v, p, c) => SubnetParser.ParseList(v, p, d.Subnets, c))
            .On("option-data", (d, v, p, c) => d.GlobalOptions = OptionDataParser.ParseList(v, p, c))
            .On("option-def", static (_, _, _, _) => { /* parsed before the walk */ })
            .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseList(v, p, c))
            .On("reservations", (d, v, p, c) => ReservationParser.ParseList(v, p, Subnet6Scope.Global, d.Reservations, c))
            .On("host-reservation-identifiers", (d, v, p, c) => d.HostReservationIdentifiers = ReservationParser.ParseIdentifierTypes(v, p, c))
            .On("mac-sources", (d, v, p, c) => d.MacSources = MacSourcesParser.Parse(v, p, c))
            .On("lease-database", (d, v, p, c) => LeaseDatabaseParser.Parse(d.LeaseDatabase, v, p, c))
            .On("hosts-database", (d, v, p, c) => HostsDatabaseParser.Parse(v, p, d.HostsDatabases, c))
            .On("hosts-databases", (d, v, p, c) => HostsDatabaseParser.ParseList(v, p, d.HostsDatabases, c))
            .On("server-id", (d, v, p, c) => ServerIdParser.Parse(d.ServerId, v, p, c))
            .On("decline-probation-period", (d, v, p, c) =>
            {
                if (c.TryUInt32(v, p, out var x))
                {
                    d.DeclineProbationPeriod = x;
                }
            })
            .On("expired-leases-processing", (d, v, p, c) => ExpirationParser.Parse(d.Expiration, v, p, c))
            .On("multi-threading", (d, v, p, c) => MultiThreadingParser.Parse(d.MultiThreading, v, p, c))
            .On("loggers", LoggersParser.ParseList)
            .On("hooks-libraries", HooksLibrariesParser.ParseList)
            .On("server-tag", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    d.ServerTag = s;
                }
            })
            .On("control-socket", (d, v, p, c) => ControlSocketsParser.ParseSingle(d.ControlSockets, v, p, c))
            .On("control-sockets", (d, v, p, c) => ControlSocketsParser.ParseList(d.ControlSockets, v, p, c))
            .On("statistic-default-sample-count", (d, v, p, c) =>
            {
                if (c.TryUInt32(v, p, out var x))
                {
                    d.StatisticDefaultSampleCount = x;
                }
            })
            .On("statistic-default-sample-age", (d, v, p, c) =>
            {
                if (c.TryUInt32(v, p, out var x))
                {
                    d.StatisticDefaultSampleAge = x;
                }
            })
            .On("parked-packet-limit", (d, v, p, c) =>
            {
                if (c.TryUInt32(v, p, out var x))
                {
                    d.ParkedPacketLimit = x;
                }
            });
        keys.On("shared-networks", (d, v, p, c) => SharedNetworkParser.ParseList(v, p, d.SharedNetworks, c));
        keys.On("relay-supplied-options", ParseRelaySuppliedOptions);
        keys.On("dhcp-ddns", static (_, _, _, _) => { /* parsed after the walk */ });
        DdnsDraft.Register(keys, d => d.Ddns);
        AllocationDraft.Register(keys, d => d.Allocation);
        TimingDraft.Register(keys, d => d.Timing);
        ReservationModesDraft.Register(keys, d => d.ReservationModes);
        ServerBehaviourKeys.Register(keys);
        NetworkLevelKeys.Register(keys);
        return keys.Unimplemented(KeaKeys.GlobalUnimplemented);
    }

    /// <summary>RFC 6422 option codes a relay may supply: each entry is a code ("65") or a standard option name.</summary>
    private static void ParseRelaySuppliedOptions(GlobalDraft draft, JsonElement value, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            if (!context.TryString(item, itemPath, out var text))
            {
                continue;
            }

            text = text.Trim();
            if (ushort.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                if (code == 0)
                {
                    context.Error(itemPath, "option code 0 is reserved");
                    continue;
                }

                draft.RelaySuppliedOptions.Add(code);
            }
            else if (Pukeko.Protocol.Options.Definitions.StandardOptionDefinitions.TryGetByName("dhcp6", text, out var definition))
            {
                draft.RelaySuppliedOptions.Add(definition.Code);
            }
            else
            {
                context.Error(itemPath, $"'{text}' is neither an option code nor a known DHCPv6 option name");
            }
        }
    }
}
