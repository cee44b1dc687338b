namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>Config templates: <c>{dir}</c> is the server's private directory, <c>{iface}</c> its interface.</summary>
internal static class Configs
{
    public static string Basic(string timers = "\"renew-timer\": 1000, \"rebind-timer\": 2000, \"preferred-lifetime\": 3000, \"valid-lifetime\": 4000", string extra = "") => $$"""
        {
          // written by Pukeko's end-to-end tests
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            {{timers}},
            {{extra}}
            "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::53" } ],
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "DEBUG", "debuglevel": 99
            } ]
          }
        }
        """;

    /// <summary>The basic subnet plus a pd-pool delegating /64s out of 2001:db8:8::/56.</summary>
    public static string WithPrefixes() => """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
              "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64, "pool-id": 3 } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "DEBUG", "debuglevel": 99
            } ]
          }
        }
        """;

    /// <summary>A subnet only reachable through the relay: selected by the relay's link-address 2001:db8:2::1.</summary>
    public static string Relayed() => """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}", "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] },
              { "id": 2, "subnet": "2001:db8:2::/64", "pools": [ { "pool": "2001:db8:2::100-2001:db8:2::1ff" } ] }
            ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "DEBUG", "debuglevel": 99
            } ]
          }
        }
        """;
}
