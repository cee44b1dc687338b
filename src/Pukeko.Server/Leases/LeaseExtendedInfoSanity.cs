using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Control;
using Pukeko.Server.Control.Commands;

namespace Pukeko.Server.Leases;

/// <summary>
/// <c>sanity-checks.extended-info-checks</c> on one lease's user context, with Kea's semantics
/// (<c>LeaseMgr::upgradeLease6ExtendedInfo</c>): an empty context or <c>ISC</c> map is removed; the Kea 2.2 form
/// <c>ISC.relays</c> is renamed <c>ISC.relay-info</c> and given <c>remote-id</c>/<c>relay-id</c> from its stored
/// options (when both forms are present the old one is dropped); the relay list is then checked as deep as the
/// level asks. The first problem found is logged and the whole relay list goes (or the <c>ISC</c> map or the
/// context, when the problem is there); other keys of the context stay.
/// </summary>
internal static class LeaseExtendedInfoSanity
{
    private const string OldKey = "relays";

    // What Kea's pedantic level allows in one relay's map.
    private static readonly HashSet<string> RelayKeys = ["hop", "link", "peer", "options", "remote-id", "relay-id", "comment"];

    /// <summary>Kea's name of the level (config-get, log lines).</summary>
    public static string ToText(ExtendedInfoSanityMode mode) => mode switch
    {
        ExtendedInfoSanityMode.None => "none",
        ExtendedInfoSanityMode.Strict => "strict",
        ExtendedInfoSanityMode.Pedantic => "pedantic",
        _ => "fix",
    };

    /// <summary>
    /// Checks (and repairs) <paramref name="userContext"/>, the context of the lease at <paramref name="address"/>;
    /// true when it changed (it may become null).
    /// </summary>
    public static bool Apply(ref string? userContext, ExtendedInfoSanityMode mode, Ipv6Address address, ILogger log)
    {
        if (mode == ExtendedInfoSanityMode.None || string.IsNullOrEmpty(userContext))
        {
            return false;
        }

        JsonNode? root;
        try
        {
            root = CommandJson.Parse(userContext);
        }
        catch (JsonException)
        {
            // Not reachable through the lease file or the commands (both take maps only); treated as "not a map".
            root = null;
        }

        var pass = new Pass(mode);
        var problem = pass.Run(root);
        if (problem is null)
        {
            if (!pass.Changed)
            {
                return false;
            }

            if (pass.Upgraded)
            {
                LeaseExtendedInfoLog.Upgraded(log, address);
            }

            userContext = Text(pass.Context);
            return true;
        }

        LeaseExtendedInfoLog.SanityFail(log, address, pass.Describe(problem));
        userContext = Text(pass.Repair());
        return true;
    }

    private static string? Text(JsonObject? context) => context is { Count: > 0 } ? CommandJson.SerializeSorted(context) : null;

    /// <summary>One check of one context; the fields say where it stopped, which decides what a failure removes.</summary>
    private sealed class Pass(ExtendedInfoSanityMode mode)
    {
        // Kea's "verifying" label: it names the part being read when a problem is found. It is deliberately not
        // reset between relays, as in Kea, so a label may name an earlier relay's part.
        private string _verifying = "user context";
        private int _relay = -1;
        private JsonObject? _isc;

        public JsonObject? Context { get; private set; }

        public bool Changed { get; private set; }

        public bool Upgraded { get; private set; }

        public string Describe(string problem) =>
            _relay >= 0 ? $"in {_verifying} [relay#{_relay}]: {problem}" : $"in {_verifying}: {problem}";

        /// <summary>Null when the context passes (possibly changed), else the problem.</summary>
        public string? Run(JsonNode? root)
        {
            if (root is not JsonObject context)
            {
                return "user context is not a map";
            }

            Context = context;
            if (context.Count == 0)
            {
                Changed = true;
                return null;
            }

            _verifying = "isc";
            if (!context.TryGetPropertyValue("ISC", out var iscNode))
            {
                return null;
            }

            if (iscNode is not JsonObject isc)
            {
                return "ISC entry is not a map";
            }

            _isc = isc;
            if (isc.Count == 0)
            {
                Changed = true;
                context.Remove("ISC");
                return null;
            }

            if (isc.ContainsKey(OldKey) && isc.ContainsKey(LeaseRelayInfo.Key))
            {
                // Both forms: the newer one is kept and checked.
                Changed = true;
                isc.Remove(OldKey);
            }

            if (isc.TryGetPropertyValue(OldKey, out var old))
            {
                var problem = Upgrade(isc, old);
                if (problem is not null)
                {
                    return problem;
                }
            }

            return Check(isc);
        }

        /// <summary>What is left once the problem's part is removed.</summary>
        public JsonObject? Repair()
        {
            switch (_verifying)
            {
                case "user context":
                    return null;
                case "isc":
                    Context!.Remove("ISC");
                    return Context;
                default:
                    _isc!.Remove(LeaseRelayInfo.Key);
                    if (_isc.Count == 0)
                    {
                        Context!.Remove("ISC");
                    }

                    return Context;
            }
        }

        /// <summary>Kea 2.2's <c>ISC.relays</c> becomes <c>ISC.relay-info</c>, with the ids its options hold.</summary>
        private string? Upgrade(JsonObject isc, JsonNode? old)
        {
            Changed = true;
            Upgraded = true;
            _verifying = OldKey;
            isc.Remove(OldKey);
            isc[LeaseRelayInfo.Key] = old;
            if (old is not JsonArray relays)
            {
                return "relays is not a list";
            }

            if (relays.Count == 0)
            {
                return "relays is empty";
            }

            _verifying = "relay";
            for (_relay = 0; _relay < relays.Count; _relay++)
            {
                if (relays[_relay] is not JsonObject relay)
                {
                    return $"relay#{_relay} is not a map";
                }

                var problem = ReadOptions(relay, out var options);
                if (problem is not null)
                {
                    return problem;
                }

                if (options is not null)
                {
                    LeaseRelayInfo.AddIdentifiers(relay, options);
                }
            }

            return null;
        }

        /// <summary>The checks of the level on <c>ISC.relay-info</c> (an upgraded list skips what the upgrade read).</summary>
        private string? Check(JsonObject isc)
        {
            _verifying = Upgraded ? OldKey : LeaseRelayInfo.Key;
            _relay = -1;
            if (!isc.TryGetPropertyValue(LeaseRelayInfo.Key, out var node))
            {
                return null;
            }

            if (node is not JsonArray relays)
            {
                return "relay-info is not a list";
            }

            if (!Upgraded && relays.Count == 0)
            {
                return "relay-info is empty";
            }

            _verifying = "relay";
            for (_relay = 0; _relay < relays.Count; _relay++)
            {
                var problem = CheckRelay(relays[_relay]);
                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? CheckRelay(JsonNode? node)
        {
            if (node is not JsonObject relay)
            {
                return $"relay#{_relay} is not a map";
            }

            if (!Upgraded)
            {
                var problem = ReadOptions(relay, out _);
                if (problem is not null)
                {
                    return problem;
                }
            }

            if (mode == ExtendedInfoSanityMode.Fix)
            {
                return null;
            }

            var found = CheckAddress(relay, "link")
                ?? (Upgraded ? null : CheckIdentifier(relay, "remote-id") ?? CheckIdentifier(relay, "relay-id"));
            if (found is not null || mode != ExtendedInfoSanityMode.Pedantic)
            {
                return found;
            }

            found = CheckAddress(relay, "peer") ?? CheckHop(relay);
            if (found is not null)
            {
                return found;
            }

            _verifying = Upgraded ? OldKey : LeaseRelayInfo.Key;
            var spurious = relay.Select(p => p.Key).Where(k => !RelayKeys.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
            return spurious is null ? null : $"spurious '{spurious}' entry";
        }

        /// <summary>Decodes the relay's <c>options</c> hex (null options when it has none).</summary>
        private string? ReadOptions(JsonObject relay, out OptionCollection? options)
        {
            options = null;
            if (!relay.TryGetPropertyValue("options", out var node))
            {
                return null;
            }

            _verifying = "options";
            if (!IsString(node, out var hex))
            {
                return "options is not a string";
            }

            byte[] bytes;
            try
            {
                bytes = KeaHex.DecodeFormatted(hex);
            }
            catch (FormatException ex)
            {
                return ex.Message;
            }

            options = new OptionCollection();
            return Unpack(bytes, options);
        }

        private string? CheckAddress(JsonObject relay, string key)
        {
            _verifying = key;
            if (!relay.TryGetPropertyValue(key, out var node))
            {
                return $"no {key}";
            }

            if (!IsString(node, out var text))
            {
                return $"{key} is not a string";
            }

            if (Ipv6Address.TryParse(text, out _))
            {
                return null;
            }

            return IsIpv4(text) ? $"{key} is not an IPv6 address" : $"'{text}' is not an IP address";
        }

        private string? CheckIdentifier(JsonObject relay, string key)
        {
            if (!relay.TryGetPropertyValue(key, out var node))
            {
                return null;
            }

            _verifying = key;
            if (!IsString(node, out var hex))
            {
                return $"{key} is not a string";
            }

            // Kea reads these as plain hex: whitespace is skipped, no 0x prefix or separators, an even digit count.
            var digits = string.Concat(hex.Where(c => c is not (' ' or '\t' or '\n' or '\v' or '\f' or '\r')));
            if (digits.Length % 2 != 0 || !digits.All(char.IsAsciiHexDigit))
            {
                return $"'{hex}' is not hex";
            }

            return digits.Length == 0 ? $"{key} is empty" : null;
        }

        private string? CheckHop(JsonObject relay)
        {
            _verifying = "hop";
            if (!relay.TryGetPropertyValue("hop", out var node))
            {
                return "no hop";
            }

            // Kea's JSON integers are numbers written without a fraction or an exponent.
            return node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.ToJsonString().AsSpan().IndexOfAny(".eE") < 0
                ? null
                : "hop is not an integer";
        }
    }

    /// <summary>
    /// Reads the options as Kea's option unpacking does: a truncated last option ends the list quietly, an option
    /// whose payload does not fit its code's format is a problem.
    /// </summary>
    private static string? Unpack(ReadOnlySpan<byte> data, OptionCollection into)
    {
        while (data.Length >= DhcpOption.HeaderLength)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(data);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (DhcpOption.HeaderLength + length > data.Length
                || (code == OptionCode.VendorOpts && data.Length < DhcpOption.HeaderLength + sizeof(uint)))
            {
                // Kea stops here without complaint: a truncated option, or a vendor option too near the end of the
                // whole buffer (not of its own payload) to hold an enterprise number.
                return null;
            }

            var status = OptionDecoder.TryDecode(code, data.Slice(DhcpOption.HeaderLength, length), out var option);
            if (status != ParseStatus.Ok)
            {
                return $"option {code} (length {length}) cannot be read: {status}";
            }

            into.Add(option!);
            data = data[(DhcpOption.HeaderLength + length)..];
        }

        return null;
    }

    private static bool IsString(JsonNode? node, out string text)
    {
        text = "";
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            text = value.GetValue<string>();
            return true;
        }

        return false;
    }

    /// <summary>Dotted-quad IPv4, as inet_pton reads it (Kea then says the address is not IPv6 rather than invalid).</summary>
    private static bool IsIpv4(string text) =>
        text.Count(c => c == '.') == 3 && text.Split('.').All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
        && IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork;
}
