using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using static Pukeko.Protocol.Options.Definitions.OptionDataType;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>
/// Kea's standard DHCPv6 option definitions (the "dhcp6" space and the sub-option spaces it
/// encapsulates), so configuration can refer to options by Kea name.
/// </summary>
public static class StandardOptionDefinitions
{
    public const string Dhcp6Space = "dhcp6";

    /// <summary>Sub-options of ntp-server (RFC 5908).</summary>
    public const string NtpServerSpace = "v6-ntp-server-suboptions";

    /// <summary>Sub-options of s46-cont-mape (RFC 7598).</summary>
    public const string S46ContMapeSpace = "s46-cont-mape-options";

    public const string S46ContMaptSpace = "s46-cont-mapt-options";

    public const string S46ContLwSpace = "s46-cont-lw-options";

    public const string S46RuleSpace = "s46-rule-options";

    public const string S46V4V6BindSpace = "s46-v4v6bind-options";

    /// <summary>CableLabs (enterprise 4491) vendor sub-options, DOCSIS 3.0 (CL-SP-CANN-DHCP-Reg).</summary>
    public const string CableLabsSpace = "vendor-4491";

    public const uint CableLabsEnterprise = 4491;

    /// <summary>
    /// Kea's own name for the CableLabs definitions. Names and codes in it resolve to the <see cref="CableLabsSpace"/>
    /// definitions, but options configured in it stay in it: like Kea, the server puts only <c>vendor-4491</c>
    /// options into a Vendor-Specific Information option.
    /// </summary>
    public const string Docsis3V6Space = "docsis3-v6";

    private static readonly OptionDefinition[] Table =
    [
        // Built by the server from protocol state; listed so names resolve, not configurable.
        Fixed("clientid", OptionCode.ClientId, Binary),
        Fixed("serverid", OptionCode.ServerId, Binary),
        FixedRecord("ia-na", OptionCode.IaNa, Uint32, Uint32, Uint32),
        Fixed("ia-ta", OptionCode.IaTa, Uint32),
        FixedRecord("iaaddr", OptionCode.IaAddr, OptionDataType.Ipv6Address, Uint32, Uint32),
        Fixed("oro", OptionCode.OptionRequest, Uint16, isArray: true),
        Def("preference", OptionCode.Preference, Uint8),
        Fixed("elapsed-time", OptionCode.ElapsedTime, Uint16),
        Fixed("relay-msg", OptionCode.RelayMessage, Binary),
        Fixed("auth", OptionCode.Authentication, Binary),
        Def("unicast", OptionCode.Unicast, OptionDataType.Ipv6Address),
        FixedRecord("status-code", OptionCode.StatusCode, Uint16, OptionDataType.String),
        Fixed("rapid-commit", OptionCode.RapidCommit, Empty),
        Def("user-class", OptionCode.UserClass, Binary),
        Record("vendor-class", OptionCode.VendorClass, false, Uint32, Binary),
        Def("vendor-opts", OptionCode.VendorOpts, Uint32),
        Fixed("interface-id", OptionCode.InterfaceId, Binary),
        Fixed("reconf-msg", OptionCode.ReconfigureMessage, Uint8),
        Fixed("reconf-accept", OptionCode.ReconfigureAccept, Empty),
        Def("sip-server-dns", OptionCode.SipServerDomainNames, Fqdn, isArray: true),
        Def("sip-server-addr", OptionCode.SipServerAddresses, OptionDataType.Ipv6Address, isArray: true),
        Def("dns-servers", OptionCode.DnsServers, OptionDataType.Ipv6Address, isArray: true),
        Def("domain-search", OptionCode.DomainSearch, Fqdn, isArray: true),
        FixedRecord("ia-pd", OptionCode.IaPd, Uint32, Uint32, Uint32),
        FixedRecord("iaprefix", OptionCode.IaPrefix, Uint32, Uint32, Uint8, OptionDataType.Ipv6Address),
        Def("nis-servers", OptionCode.NisServers, OptionDataType.Ipv6Address, isArray: true),
        Def("nisp-servers", OptionCode.NispServers, OptionDataType.Ipv6Address, isArray: true),
        Def("nis-domain-name", OptionCode.NisDomainName, Fqdn, isArray: true),
        Def("nisp-domain-name", OptionCode.NispDomainName, Fqdn, isArray: true),
        Def("sntp-servers", OptionCode.SntpServers, OptionDataType.Ipv6Address, isArray: true),
        Def("information-refresh-time", OptionCode.InformationRefreshTime, Uint32),
        Def("bcmcs-server-dns", OptionCode.BcmcsServerDomainNames, Fqdn, isArray: true),
        Def("bcmcs-server-addr", OptionCode.BcmcsServerAddresses, OptionDataType.Ipv6Address, isArray: true),
        Record("geoconf-civic", OptionCode.GeoconfCivic, false, Uint8, Uint16, Binary),
        Record("remote-id", OptionCode.RemoteId, false, Uint32, Binary),
        Def("subscriber-id", OptionCode.SubscriberId, Binary),
        Record("client-fqdn", OptionCode.ClientFqdn, false, Uint8, Fqdn) with { IsConfigurable = false },
        Def("pana-agent", OptionCode.PanaAgent, OptionDataType.Ipv6Address, isArray: true),
        Def("new-posix-timezone", OptionCode.NewPosixTimezone, OptionDataType.String),
        Def("new-tzdb-timezone", OptionCode.NewTzdbTimezone, OptionDataType.String),
        Def("ero", OptionCode.Ero, Uint16, isArray: true),
        Record("lq-query", OptionCode.LqQuery, false, Uint8, OptionDataType.Ipv6Address) with { Encapsulates = Dhcp6Space },
        Def("client-data", OptionCode.ClientData, Empty, encapsulates: Dhcp6Space),
        Def("clt-time", OptionCode.CltTime, Uint32),
        Record("lq-relay-data", OptionCode.LqRelayData, false, OptionDataType.Ipv6Address, Binary),
        Def("lq-client-link", OptionCode.LqClientLink, OptionDataType.Ipv6Address, isArray: true),
        Def("v6-lost", OptionCode.V6Lost, Fqdn),
        Def("capwap-ac-v6", OptionCode.CapwapAcV6, OptionDataType.Ipv6Address, isArray: true),
        Def("relay-id", OptionCode.RelayId, Binary),
        Def("ntp-server", OptionCode.NtpServer, Empty, encapsulates: NtpServerSpace),
        Def("v6-access-domain", OptionCode.V6AccessDomain, Fqdn),
        Def("sip-ua-cs-list", OptionCode.SipUaCsList, Fqdn, isArray: true),
        Def("bootfile-url", OptionCode.BootfileUrl, OptionDataType.String),
        Def("bootfile-param", OptionCode.BootfileParam, OptionDataType.Tuple, isArray: true),
        Def("client-arch-type", OptionCode.ClientArchType, Uint16, isArray: true),
        Record("nii", OptionCode.Nii, false, Uint8, Uint8, Uint8),
        Def("aftr-name", OptionCode.AftrName, Fqdn),
        Def("erp-local-domain-name", OptionCode.ErpLocalDomainName, Fqdn),
        Def("rsoo", OptionCode.Rsoo, Empty, encapsulates: "rsoo-opts"),
        Def("pd-exclude", OptionCode.PdExclude, OptionDataType.Ipv6Prefix),
        Record("rdnss-selection", OptionCode.RdnssSelection, true, OptionDataType.Ipv6Address, Uint8, Fqdn),
        Def("client-linklayer-addr", OptionCode.ClientLinkLayerAddr, Binary),
        Def("link-address", OptionCode.LinkAddress, OptionDataType.Ipv6Address),
        Def("solmax-rt", OptionCode.SolMaxRt, Uint32),
        Def("inf-max-rt", OptionCode.InfMaxRt, Uint32),
        Def("dhcpv4-message", OptionCode.Dhcpv4Message, Binary),
        Def("dhcp4o6-server-addr", OptionCode.Dhcp4o6ServerAddr, OptionDataType.Ipv6Address, isArray: true),
        Def("v6-captive-portal", OptionCode.V6CaptivePortal, OptionDataType.String),
        Def("relay-source-port", OptionCode.RelaySourcePort, Uint16),
        Def("v6-sztp-redirect", OptionCode.V6SztpRedirect, OptionDataType.Tuple, isArray: true),
        Def("ipv6-address-andsf", OptionCode.Ipv6AddressAndsf, OptionDataType.Ipv6Address, isArray: true),
        Def("s46-cont-mape", OptionCode.S46ContMape, Empty, encapsulates: S46ContMapeSpace),
        Def("s46-cont-mapt", OptionCode.S46ContMapt, Empty, encapsulates: S46ContMaptSpace),
        Def("s46-cont-lw", OptionCode.S46ContLw, Empty, encapsulates: S46ContLwSpace),
        // RFC 9463 DNR: its text form ("priority, adn, addresses, svc-params") is encoded by DnrEncoding.
        Def("v6-dnr", OptionCode.V6Dnr, Binary),
        Def("addr-reg-enable", OptionCode.AddrRegEnable, Empty),

        // RFC 5908 NTP server sub-options.
        new("ntp-server-address", NtpSuboptionCode.ServerAddress, NtpServerSpace, OptionDataType.Ipv6Address),
        new("ntp-server-multicast", NtpSuboptionCode.MulticastAddress, NtpServerSpace, OptionDataType.Ipv6Address),
        new("ntp-server-fqdn", NtpSuboptionCode.ServerFqdn, NtpServerSpace, Fqdn),

        // CableLabs vendor sub-options (DOCSIS 3.0 / eRouter), as Kea defines them.
        new("oro", 1, CableLabsSpace, Uint16, true),
        new("device-type", 2, CableLabsSpace, OptionDataType.String),
        new("embedded-components", 3, CableLabsSpace, OptionDataType.String),
        new("serial-number", 4, CableLabsSpace, OptionDataType.String),
        new("hardware-version", 5, CableLabsSpace, OptionDataType.String),
        new("software-version", 6, CableLabsSpace, OptionDataType.String),
        new("boot-rom-version", 7, CableLabsSpace, OptionDataType.String),
        new("vendor-oui", 8, CableLabsSpace, OptionDataType.String),
        new("model-number", 9, CableLabsSpace, OptionDataType.String),
        new("vendor-type", 10, CableLabsSpace, OptionDataType.String),
        new("tftp-servers", 32, CableLabsSpace, OptionDataType.Ipv6Address, true),
        new("config-file", 33, CableLabsSpace, OptionDataType.String),
        new("syslog-servers", 34, CableLabsSpace, OptionDataType.Ipv6Address, true),
        new("device-id", 36, CableLabsSpace, Binary),
        new("time-servers", 37, CableLabsSpace, OptionDataType.Ipv6Address, true),
        new("time-offset", 38, CableLabsSpace, OptionDataType.Int32),
        new("cmts-cm-mac", 1026, CableLabsSpace, Binary),

        // RFC 7598 softwire (MAP-E, MAP-T, lightweight 4over6) containers.
        new("s46-br", OptionCode.S46Br, S46ContMapeSpace, OptionDataType.Ipv6Address),
        new("s46-rule", OptionCode.S46Rule, S46ContMapeSpace, OptionDataType.Record, false, [Uint8, Uint8, Uint8, Ipv4Address, OptionDataType.Ipv6Prefix], S46RuleSpace),
        new("s46-rule", OptionCode.S46Rule, S46ContMaptSpace, OptionDataType.Record, false, [Uint8, Uint8, Uint8, Ipv4Address, OptionDataType.Ipv6Prefix], S46RuleSpace),
        new("s46-dmr", OptionCode.S46Dmr, S46ContMaptSpace, OptionDataType.Ipv6Prefix),
        new("s46-br", OptionCode.S46Br, S46ContLwSpace, OptionDataType.Ipv6Address),
        new("s46-v4v6bind", OptionCode.S46V4V6Bind, S46ContLwSpace, OptionDataType.Record, false, [Ipv4Address, OptionDataType.Ipv6Prefix], S46V4V6BindSpace),
        new("s46-portparams", OptionCode.S46PortParams, S46RuleSpace, OptionDataType.Record, false, [Uint8, Psid]),
        new("s46-portparams", OptionCode.S46PortParams, S46V4V6BindSpace, OptionDataType.Record, false, [Uint8, Psid]),
    ];

    /// <summary>Names Pukeko used before it took Kea's (<c>vendor-type</c>, <c>cmts-cm-mac</c>); still accepted.</summary>
    private static readonly (string Space, string Alias, string Name)[] FormerNames =
    [
        (CableLabsSpace, "vendor-name", "vendor-type"),
        (CableLabsSpace, "cm-mac-address", "cmts-cm-mac"),
    ];

    private static readonly FrozenDictionary<(string Space, string Name), OptionDefinition> ByName =
        Table.Select(static d => KeyValuePair.Create((d.Space, d.Name), d))
            .Concat(FormerNames.Select(static a => KeyValuePair.Create((a.Space, a.Alias), Table.Single(d => d.Space == a.Space && d.Name == a.Name))))
            .ToFrozenDictionary();

    private static readonly FrozenDictionary<(string Space, ushort Code), OptionDefinition> ByCode =
        Table.ToFrozenDictionary(static d => (d.Space, d.Code));

    public static IReadOnlyList<OptionDefinition> All => Table;

    public static bool TryGetByName(string space, string name, [NotNullWhen(true)] out OptionDefinition? definition) =>
        ByName.TryGetValue((DefinitionSpace(space), name), out definition);

    public static bool TryGetByCode(string space, ushort code, [NotNullWhen(true)] out OptionDefinition? definition) =>
        ByCode.TryGetValue((DefinitionSpace(space), code), out definition);

    /// <summary>The space whose definitions <paramref name="space"/> uses: itself, except Kea's alias for CableLabs.</summary>
    private static string DefinitionSpace(string space) => space == Docsis3V6Space ? CableLabsSpace : space;

    private static OptionDefinition Def(string name, ushort code, OptionDataType type, bool isArray = false, string? encapsulates = null) =>
        new(name, code, Dhcp6Space, type, isArray, null, encapsulates);

    private static OptionDefinition Fixed(string name, ushort code, OptionDataType type, bool isArray = false) =>
        Def(name, code, type, isArray) with { IsConfigurable = false };

    private static OptionDefinition Record(string name, ushort code, bool isArray, params OptionDataType[] fields) =>
        new(name, code, Dhcp6Space, OptionDataType.Record, isArray, fields);

    private static OptionDefinition FixedRecord(string name, ushort code, params OptionDataType[] fields) =>
        Record(name, code, false, fields) with { IsConfigurable = false };
}
