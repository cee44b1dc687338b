namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Configs that Kea 2.2 and Pukeko both run unchanged (the point of the interop tests): Kea 2.2's
/// spellings (<c>output_options</c>, <c>data-directory</c> for the server-id file), the lease file
/// and server-id in the private directory, and no periodic LFC so the files only change when the
/// test says so.
/// </summary>
internal static class InteropConfigs
{
    public static string Shared(string pool = "2001:db8:1::100-2001:db8:1::1ff", string severity = "INFO", string extra = "") => $$"""
        {
          // written by Pukeko's interop tests; read by kea-dhcp6 2.2 and by pukeko-dhcp6
          "Dhcp6": {
            "data-directory": "{dir}",
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv", "persist": true, "lfc-interval": 0 },
            "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
            {{extra}}
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": [ { "pool": "{{pool}}" } ]
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output_options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "{{severity}}"
            } ]
          }
        }
        """;
}
