using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Hooks.Configuration;
using Pukeko.Hooks.Hosts;
using Pukeko.Hooks.Leases;
using Pukeko.Hooks.Subnets;
using static Pukeko.Server.Hooks.ArgumentDirection;

namespace Pukeko.Server.Hooks;

/// <summary>
/// Every hook point the server calls, with Kea's argument names, the C# types, directions and
/// next-step semantics (digest §1.6, §2). The server and docs/hooks.md both come from this table
/// (a test regenerates the docs section and fails when they differ).
/// </summary>
internal static class HookPoints
{
    public const int ContextCreate = 0;
    public const int ContextDestroy = 1;
    public const int Dhcp6SrvConfigured = 2;
    public const int Buffer6Receive = 3;
    public const int Pkt6Receive = 4;
    public const int Subnet6Select = 5;
    public const int Host6Identifier = 6;
    public const int Lease6Select = 7;
    public const int Lease6Renew = 8;
    public const int Lease6Rebind = 9;
    public const int Lease6Release = 10;
    public const int Lease6Decline = 11;
    public const int Leases6Committed = 12;
    public const int Pkt6Send = 13;
    public const int Buffer6Send = 14;
    public const int Lease6Expire = 15;
    public const int Lease6Recover = 16;
    public const int CommandProcessed = 17;
    public const int Ddns6Update = 18;

    private static readonly HookArgument Query6In = new("query6", typeof(Dhcp6Packet), In);
    private static readonly HookArgument Query6InOut = new("query6", typeof(Dhcp6Packet), InOut);

    /// <summary>All hook points, indexed by the constants above, in the order packets meet them.</summary>
    public static IReadOnlyList<HookPoint> All { get; } =
    [
        new(ContextCreate, HookNames.ContextCreate, "A packet's callout handle is created (the first time any hook point with callouts is reached for it).", [], [], false),
        new(ContextDestroy, HookNames.ContextDestroy, "The packet's processing is over (reply sent or packet dropped); its context goes away.", [], [], false),
        new(Dhcp6SrvConfigured, HookNames.Dhcp6SrvConfigured, "A (re)configuration has loaded the libraries, before the new configuration starts serving.",
            [new("json_config", typeof(JsonElement), In, "the whole {\"Dhcp6\": ...} document"), new("network_state", typeof(INetworkState), In, "enable/disable the DHCP service, as dhcp-enable/dhcp-disable do"), new("server_config", typeof(ServerConfig), In, "subnets, shared networks, global options and reservations as views"), new("error", typeof(string), Out, "reason shown when the status is DROP")],
            [new(NextStep.Drop, "the configuration is rejected with `error` (at start-up the server exits)")], false),
        new(Buffer6Receive, HookNames.Buffer6Receive, "A datagram arrived; `query6.Data` holds it, `query6.Message` is an empty placeholder.",
            [Query6InOut],
            [new(NextStep.Skip, "the server does not parse `Data`: the callout must have set `query6.Message` (and `Relays`)"), new(NextStep.Drop, "the packet is dropped (no statistic counted)")], false),
        new(Pkt6Receive, HookNames.Pkt6Receive, "The packet is parsed and passed the server-id and unicast tests, before the sanity check.",
            [Query6InOut],
            [new(NextStep.Skip, "the packet is dropped"), new(NextStep.Drop, "the packet is dropped (no statistic counted)")], false),
        new(Subnet6Select, HookNames.Subnet6Select, "The server selected a subnet (or none); a callout may pick another configured one.",
            [Query6InOut, new("subnet6", typeof(Subnet6), InOut, "null when none was selected"), new("subnet6collection", typeof(IReadOnlyList<Subnet6>), In, "every configured subnet (a callout picks one by setting `subnet6` to it)")],
            [new(NextStep.Skip, "no subnet: the IAs get NoAddrsAvail / NoPrefixAvail / NoBinding"), new(NextStep.Drop, "the packet is dropped"), new(NextStep.Park, "the packet waits; on unpark processing resumes with the `subnet6` the callouts left")], true),
        new(Host6Identifier, HookNames.Host6Identifier, "The server looks up host reservations and `flex-id` is among `host-reservation-identifiers`.",
            [Query6In, new("id_type", typeof(HostIdentifierType), InOut, "starts as FlexId"), new("id_value", typeof(byte[]), Out, "starts empty")],
            [], false),
        new(Lease6Select, HookNames.Lease6Select, "A new lease (or a reused expired one) was chosen for an IA, before it is stored. Called for Solicit too.",
            [Query6In, new("subnet6", typeof(Subnet6), In), new("fake_allocation", typeof(bool), In, "true for a Solicit without Rapid Commit: nothing will be stored"), new("lease6", typeof(Lease6), InOut, "a copy: edits (in place or by setting it) are stored")],
            [new(NextStep.Skip, "this lease is not assigned and no further candidate is tried in the subnet: the IA gets NoAddrsAvail")], false),
        new(Lease6Renew, HookNames.Lease6Renew, "A Renew is about to extend an existing lease (new lifetimes and cltt already in `lease6`).",
            [Query6In, new("lease6", typeof(Lease6), InOut), new("ia_na", typeof(IaNaOption), InOut, "the IA_NA of the reply (set for address leases)"), new("ia_pd", typeof(IaPdOption), InOut, "the IA_PD of the reply (set for prefix leases instead of ia_na)")],
            [new(NextStep.Skip, "the lease keeps its old values and is not written; it is still in the reply")], false),
        new(Lease6Rebind, HookNames.Lease6Rebind, "A Rebind is about to extend an existing lease (new lifetimes and cltt already in `lease6`).",
            [Query6In, new("lease6", typeof(Lease6), InOut), new("ia_na", typeof(IaNaOption), InOut, "the IA_NA of the reply (set for address leases)"), new("ia_pd", typeof(IaPdOption), InOut, "the IA_PD of the reply (set for prefix leases instead of ia_na)")],
            [new(NextStep.Skip, "the lease keeps its old values and is not written; it is still in the reply")], false),
        new(Lease6Release, HookNames.Lease6Release, "A Release passed every check and the lease is about to be released.",
            [Query6In, new("lease6", typeof(Lease6), InOut)],
            [new(NextStep.Skip, "the lease is kept; the IA and the summary say UnspecFail \"Server failed to release a lease\" (Kea's code; its docs say \"as if released\")"), new(NextStep.Drop, "same as SKIP: lease kept, reply sent with UnspecFail")], false),
        new(Lease6Decline, HookNames.Lease6Decline, "A Decline passed every check and the lease is about to be declined.",
            [Query6In, new("lease6", typeof(Lease6), InOut)],
            [new(NextStep.Skip, "the lease is not declined but the reply says it was"), new(NextStep.Drop, "the lease is not declined and no reply is sent")], false),
        new(Leases6Committed, HookNames.Leases6Committed, "After the leases of a Request, Renew, Rebind, Release, Decline or Rapid-Commit Solicit are stored, before the reply is sent.",
            [Query6In, new("response6", typeof(Dhcp6Packet), In), new("leases6", typeof(IReadOnlyList<Lease6>), In, "leases created or extended; declined leases are here too (Kea's code)"), new("deleted_leases6", typeof(IReadOnlyList<Lease6>), In, "leases released or replaced")],
            [new(NextStep.Drop, "the reply is not sent"), new(NextStep.Park, "the reply waits; it is sent on unpark (an async callout parks by returning an unfinished task)")], true),
        new(Pkt6Send, HookNames.Pkt6Send, "The reply is complete, before it is packed.",
            [Query6In, new("response6", typeof(Dhcp6Packet), InOut), new("subnet6", typeof(Subnet6), In, "null when none was selected")],
            [new(NextStep.Skip, "the server does not pack: it sends `response6.Data` as the callout left it (empty when null)"), new(NextStep.Drop, "the reply is not sent")], false),
        new(Buffer6Send, HookNames.Buffer6Send, "The reply is packed into `response6.Data`, just before sending; a callout may change those bytes.",
            [new("response6", typeof(Dhcp6Packet), InOut)],
            [new(NextStep.Skip, "the reply is not sent"), new(NextStep.Drop, "the reply is not sent")], false),
        new(Lease6Expire, HookNames.Lease6Expire, "Reclamation is about to reclaim an expired lease.",
            [new("lease6", typeof(Lease6), InOut), new("remove_lease", typeof(bool), In, "true when flush-reclaimed-timer-wait-time is 0")],
            [new(NextStep.Skip, "the callout reclaimed the lease itself; the server only counts it")], false),
        new(Lease6Recover, HookNames.Lease6Recover, "A declined lease's probation period ended; the server is about to free the address.",
            [new("lease6", typeof(Lease6), In)],
            [new(NextStep.Skip, "the address is not recovered: the lease is written back as expired-reclaimed (Kea's code), statistics untouched")], false),
        new(CommandProcessed, HookNames.CommandProcessed, "A control command has been answered.",
            [new("name", typeof(string), In), new("arguments", typeof(JsonNode), In, "may be null"), new("response", typeof(JsonObject), InOut)],
            [], false),
        new(Ddns6Update, HookNames.Ddns6Update, "The server decided a client's DNS name and update directions (after allocation in Pukeko, before a name is generated from the address); called only when the reply carries a Client FQDN option.",
            [Query6In, new("response6", typeof(Dhcp6Packet), InOut), new("subnet6", typeof(Subnet6), In, "null when none was selected"), new("hostname", typeof(string), InOut, "full name with trailing dot; empty: generated from the address afterwards"), new("fwd-update", typeof(bool), InOut), new("rev-update", typeof(bool), InOut), new("ddns-params", typeof(DdnsParameters), In, "the ddns-* parameters in force")],
            [], false),
    ];

    /// <summary>The index of a hook point by name, or -1.</summary>
    public static int IndexOf(string name)
    {
        foreach (var point in All)
        {
            if (point.Name == name)
            {
                return point.Index;
            }
        }

        return -1;
    }

    /// <summary>The hook point table as the Markdown section of docs/hooks.md.</summary>
    public static string RenderMarkdown()
    {
        var text = new StringBuilder();
        foreach (var point in All)
        {
            text.Append("### `").Append(point.Name).Append("`\n\n");
            text.Append(point.When).Append("\n\n");
            if (point.Arguments.Count == 0)
            {
                text.Append("Arguments: none.\n\n");
            }
            else
            {
                text.Append("| Argument | C# type | Namespace | Direction | Note |\n|---|---|---|---|---|\n");
                foreach (var argument in point.Arguments)
                {
                    text.Append("| `").Append(argument.Name).Append("` | `").Append(TypeName(argument.Type)).Append("` | ")
                        .Append(Namespaces(argument.Type)).Append(" | ")
                        .Append(argument.Direction switch { In => "in", Out => "out", _ => "in/out" }).Append(" | ")
                        .Append(argument.Note).Append(" |\n");
                }

                text.Append('\n');
            }

            if (point.Statuses.Count == 0)
            {
                text.Append("Next step: the status is ignored.\n\n");
            }
            else
            {
                foreach (var (status, meaning) in point.Statuses)
                {
                    text.Append("- **").Append(status.ToString().ToUpperInvariant()).Append("**: ").Append(meaning).Append('\n');
                }

                text.Append('\n');
            }

            if (point.CanPark)
            {
                text.Append("Parks: yes (explicit PARK or an `AsyncCallout`).\n\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The namespaces a hook library imports to name a type (its own and its generic arguments'), or "—" for C# keywords.</summary>
    public static string Namespaces(Type type)
    {
        var namespaces = new List<string>();
        Collect(type);
        return namespaces.Count == 0 ? "—" : string.Join(", ", namespaces.Select(n => $"`{n}`"));

        void Collect(Type t)
        {
            if (t == typeof(string) || t == typeof(bool) || t == typeof(byte[]))
            {
                return;
            }

            if (t.Namespace is { } name && !namespaces.Contains(name))
            {
                namespaces.Add(name);
            }

            foreach (var argument in t.IsGenericType ? t.GetGenericArguments() : [])
            {
                Collect(argument);
            }
        }
    }

    /// <summary>C# spelling of a type with its namespace-free generic arguments, e.g. <c>IReadOnlyList&lt;Lease6&gt;</c>.</summary>
    public static string TypeName(Type type)
    {
        if (type == typeof(string))
        {
            return "string";
        }

        if (type == typeof(bool))
        {
            return "bool";
        }

        if (type == typeof(byte[]))
        {
            return "byte[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }
}
