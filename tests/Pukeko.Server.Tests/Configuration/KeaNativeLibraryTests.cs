using Pukeko.Server.Hooks;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class KeaNativeLibraryTests
{
    private static string Hooks(string library) => Dhcp6($$"""
        "hooks-libraries": [ { "library": "/srv/kea-hooks/custom.so.dll" }, { "library": "{{library}}", "parameters": { "x": 1 } } ]
        """);

    [Theory]
    [InlineData("libdhcp_cb_cmds.so", "its commands are not available")]
    [InlineData("libdhcp_host_cache.so", "no host lookups are cached")]
    [InlineData("libdhcp_perfmon.so", "no packet-processing durations are monitored")]
    [InlineData("libdhcp_flex_option.so", "not changed in replies")]
    public void A_kea_library_that_leaves_leases_alone_is_a_warning_naming_what_is_lost(string library, string lost)
    {
        var result = Load(Hooks(library));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/hooks-libraries[1]/library", $"{Path.GetFileName(library)} is Kea's ");
        AssertWarning(result, "Dhcp6/hooks-libraries[1]/library", "which is not built into Pukeko; ignored, so ");
        AssertWarning(result, "Dhcp6/hooks-libraries[1]/library", lost);
        Assert.Equal(2, result.Config!.HooksLibraries.Count); // still listed: the loader skips it by name
    }

    [Theory]
    [InlineData("libdhcp_mysql.so", "MySQL lease, host and configuration backends")]
    [InlineData("libdhcp_mysql_cb.so", "kept in the database would be missing")]
    [InlineData("libdhcp_radius.so", "would not be authorized")]
    [InlineData("libdhcp_ping_check.so", "kea-dhcp4 only")]
    [InlineData("libdhcp_bootp.so", "kea-dhcp4 only")]
    public void A_kea_library_that_changes_who_gets_which_lease_is_an_error_that_says_why(string library, string why)
    {
        var name = Path.GetFileName(library);
        LoadFails(Hooks(library), "Dhcp6/hooks-libraries[1]/library", $"{name} is Kea's ");
        LoadFails(Hooks(library), "Dhcp6/hooks-libraries[1]/library", "which Pukeko does not have: ");
        LoadFails(Hooks(library), "Dhcp6/hooks-libraries[1]/library", why);
    }

    [Theory]
    [InlineData("/usr/lib/kea/hooks/libdhcp_future_feature.so")]
    [InlineData("libddns_something.so")]
    public void A_library_named_like_keas_that_pukeko_does_not_know_is_an_error_that_says_why(string library)
    {
        var name = Path.GetFileName(library);
        LoadFails(Hooks(library), "Dhcp6/hooks-libraries[1]/library", $"{name} is named like one of Kea's own hook libraries, but is none that Pukeko knows");
        LoadFails(Hooks(library), "Dhcp6/hooks-libraries[1]/library", "could hand out leases differently from Kea");
        Assert.Null(KeaNativeLibraries.Find("/opt/lib/libdhcp_custom.so.dll"));
    }

    [Theory]
    [InlineData("libdhcp_lease_cmds.so")]
    [InlineData("/usr/lib/kea/hooks/libdhcp_host_cmds.so")]
    [InlineData("libdhcp_subnet_cmds.so")]
    [InlineData("libdhcp_class_cmds.so")]
    [InlineData("/opt/kea/libdhcp_stat_cmds.so")]
    [InlineData("/usr/lib/kea/hooks/libdhcp_flex_id.so")]
    [InlineData("/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_pgsql.so")]
    public void Built_in_libraries_load_without_a_warning(string library)
    {
        Assert.Equal(KeaNativeLibraryKind.BuiltIn, KeaNativeLibraries.Find(library)!.Kind);
        var result = Load(Hooks(library));
        Assert.True(result.Success);
        Assert.DoesNotContain(result.Warnings, w => w.Path.StartsWith("Dhcp6/hooks-libraries", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_library_kea_ships_for_dhcp6_is_classified()
    {
        // Kea's hooks manual lists these (src/hooks/dhcp/ and the subscriber libraries); a new one needs a decision.
        string[] keaLibraries =
        [
            "libdhcp_bootp.so", "libdhcp_class_cmds.so", "libdhcp_ddns_tuning.so", "libdhcp_flex_id.so", "libdhcp_flex_option.so",
            "libdhcp_ha.so", "libdhcp_host_cache.so", "libdhcp_host_cmds.so", "libdhcp_lease_cmds.so", "libdhcp_lease_query.so",
            "libdhcp_legal_log.so", "libdhcp_limits.so", "libdhcp_mysql.so", "libdhcp_perfmon.so", "libdhcp_pgsql.so",
            "libdhcp_ping_check.so", "libdhcp_radius.so", "libdhcp_run_script.so", "libdhcp_stat_cmds.so", "libdhcp_subnet_cmds.so",
            "libdhcp_cb_cmds.so", "libdhcp_rbac.so", "libdhcp_mysql_cb.so", "libdhcp_pgsql_cb.so", "libdhcp_user_chk.so",
            "libdhcp_forensic_log.so",
        ];
        Assert.All(keaLibraries, l => Assert.NotNull(KeaNativeLibraries.Find("/any/dir/" + l)));
        Assert.Null(KeaNativeLibraries.Find("/opt/lib/security.so"));
    }
}
