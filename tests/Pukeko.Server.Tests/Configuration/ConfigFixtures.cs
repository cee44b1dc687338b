namespace Pukeko.Server.Tests.Configuration;

/// <summary>Whole configuration files used as fixtures.</summary>
internal static class ConfigFixtures
{
    /// <summary>
    /// The shape ISC Forge writes for kea6 (softwaresupport/kea.py): <c>config_srv_subnet('3000::/64', '3000::1-3000::ff')</c>
    /// plus a second subnet, an option on a subnet, a global option, a pool option and the control channel and
    /// lease_cmds hook most tests add. Forge sorts keys and dumps with indent 4. Its defaults add the four timers,
    /// <c>cache-threshold: 0.0</c>, the interface, a DEBUG/99 logger to a file, an empty <c>shared-networks</c> and a
    /// memfile lease database. Its paths lie in <see cref="ConfigTest.TestEnvironment"/>'s directories, as Forge's lab
    /// points Kea's variables at the directories its paths name (Kea 3.x's path rules apply to this file).
    /// </summary>
    public const string Forge = """
        {
            "Dhcp6": {
                "cache-threshold": 0.0,
                "control-sockets": [
                    {
                        "socket-name": "/srv/kea-run/control_socket",
                        "socket-type": "unix"
                    }
                ],
                "hooks-libraries": [
                    {
                        "library": "/usr/local/lib/kea/hooks/libdhcp_lease_cmds.so"
                    }
                ],
                "interfaces-config": {
                    "interfaces": [
                        "fgs0"
                    ]
                },
                "lease-database": {
                    "type": "memfile"
                },
                "loggers": [
                    {
                        "debuglevel": 99,
                        "name": "kea-dhcp6",
                        "output-options": [
                            {
                                "output": "/srv/kea-log/kea.log"
                            }
                        ],
                        "severity": "DEBUG"
                    }
                ],
                "option-data": [
                    {
                        "code": 23,
                        "csv-format": true,
                        "data": "2001:db8::1",
                        "name": "dns-servers",
                        "space": "dhcp6"
                    }
                ],
                "preferred-lifetime": 3000,
                "rebind-timer": 2000,
                "renew-timer": 1000,
                "shared-networks": [],
                "subnet6": [
                    {
                        "id": 1,
                        "interface": "fgs0",
                        "option-data": [
                            {
                                "code": 23,
                                "csv-format": true,
                                "data": "2001:db8::2,2001:db8::3",
                                "name": "dns-servers",
                                "space": "dhcp6"
                            }
                        ],
                        "pools": [
                            {
                                "option-data": [
                                    {
                                        "always-send": true,
                                        "code": 23,
                                        "csv-format": true,
                                        "data": "2001:db8::4",
                                        "name": "dns-servers",
                                        "space": "dhcp6"
                                    }
                                ],
                                "pool": "3000::1-3000::ff"
                            }
                        ],
                        "subnet": "3000::/64"
                    },
                    {
                        "id": 2,
                        "interface": "fgs0",
                        "pools": [
                            {
                                "pool": "2001:db8:1::1 - 2001:db8:1::ffff",
                                "pool-id": 5
                            }
                        ],
                        "subnet": "2001:db8:1::/64"
                    }
                ],
                "valid-lifetime": 4000
            }
        }
        """;

    /// <summary>
    /// A typical hand-written operator file in the style of Kea's shipped kea-dhcp6.conf: comments of every kind,
    /// several subnets, per-subnet lifetimes, prefix and range pools, a relay-only subnet and a few settings Pukeko does
    /// not implement yet (which must only warn).
    /// </summary>
    public const string Operator = """
        // This is the main configuration file of the DHCPv6 server.
        # Hash comments are fine too.
        {
        "Dhcp6": {
            /* Listen on two interfaces; eth1 also takes unicast. */
            "interfaces-config": {
                "interfaces": [ "eth0", "eth1/2001:db8:ffff::1" ],
                "service-sockets-max-retries": 5,
                "service-sockets-retry-wait-time": 5000
            },

            "control-socket": {
                "socket-type": "unix",
                "socket-name": "kea6-ctrl-socket"
            },

            "lease-database": {
                "type": "memfile",
                "lfc-interval": 3600
            },

            "expired-leases-processing": {
                "reclaim-timer-wait-time": 10,
                "flush-reclaimed-timer-wait-time": 25,
                "hold-reclaimed-time": 3600,
                "max-reclaim-leases": 100,
                "max-reclaim-time": 250,
                "unwarned-reclaim-cycles": 5
            },

            // Timers in seconds.
            "renew-timer": 1000,
            "rebind-timer": 2000,
            "preferred-lifetime": 3000,
            "valid-lifetime": 4000,

            "option-data": [
                {
                    "name": "dns-servers",
                    "data": "2001:db8:2::45, 2001:db8:2::100"
                },
                // An option Pukeko has no definition for, given as hex.
                {
                    "code": 65000,
                    "csv-format": false,
                    "data": "0A:0B"
                }
            ],

            "subnet6": [
                {
                    "id": 1,
                    "subnet": "2001:db8:1::/64",
                    "interface": "eth0",
                    "pools": [ { "pool": "2001:db8:1::/80" } ],
                    "pd-pools": [
                        { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64 }
                    ],
                    "option-data": [
                        { "name": "dns-servers", "data": "2001:db8:1::1" }
                    ],
                    "reservations": [
                        { "duid": "01:02:03:04:05:0A:0B:0C:0D:0E", "ip-addresses": [ "2001:db8:1::100" ] }
                    ]
                },
                {
                    "id": 2,
                    "subnet": "2001:db8:2::/64",
                    "pools": [
                        { "pool": "2001:db8:2::10 - 2001:db8:2::ff" },
                        { "pool": "2001:db8:2::1:0-2001:db8:2::1:ffff", "pool-id": 7 }
                    ],
                    "valid-lifetime": 600,
                    "min-valid-lifetime": 300,
                    "max-valid-lifetime": 1200,
                    "rapid-commit": true,
                    "relay": { "ip-addresses": [ "2001:db8:2::1" ] }
                },
                {
                    // Auto-numbered.
                    "subnet": "2001:db8:3::/64",
                    "pools": [ { "pool": "2001:db8:3::100-2001:db8:3::1ff" } ],
                    "comment": "third floor"
                }
            ],

            "loggers": [
                {
                    "name": "kea-dhcp6",
                    "output_options": [
                        {
                            "output": "kea-dhcp6.log"
                            // "flush": false,
                            // "maxsize": 1048576,
                            // "maxver": 8
                        }
                    ],
                    "severity": "INFO",
                    "debuglevel": 0
                }
            ]
        }
        }
        """;
}
