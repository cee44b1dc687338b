using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class EnvironmentTests
{
    [Fact]
    public void VariablesOverrideDefaults()
    {
        var variables = new Dictionary<string, string>
        {
            ["KEA_DHCP_DATA_DIR"] = "/d",
            ["KEA_LOG_FILE_DIR"] = "/l",
            ["KEA_CONTROL_SOCKET_DIR"] = "/c",
            ["KEA_HOOKS_PATH"] = "/h",
        };
        var environment = ConfigEnvironment.FromVariables(name => variables.GetValueOrDefault(name));
        Assert.Equal(new ConfigEnvironment("/d", "/l", "/c", "/h"), environment);
    }

    [Fact]
    public void MissingOrEmptyVariablesUseKeaDefaults()
    {
        var environment = ConfigEnvironment.FromVariables(name => name == "KEA_LOG_FILE_DIR" ? " " : null);
        Assert.Equal("/var/lib/kea", environment.DataDirectory);
        Assert.Equal("/var/log/kea", environment.LogDirectory);
        Assert.Equal("/run/kea", environment.ControlSocketDirectory);
        // .NET hook libraries: the installation's own hooks directory (Kea's libraries are built in by name).
        Assert.Equal(Path.Combine(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), "hooks"), environment.HooksDirectory);
    }

    [Fact]
    public void DirectoriesAreUsedToResolveRelativeNames()
    {
        var environment = new ConfigEnvironment("/data", "/logs", "/sock", "/hooks");
        var result = ConfigLoader.LoadText(Dhcp6("""
            "lease-database": { "type": "memfile", "name": "sub/leases6.csv" },
            "loggers": [ { "name": "kea-dhcp6", "output-options": [ { "output": "k.log" }, { "output": "stderr" }, { "output": "syslog" } ] } ],
            "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" } ]
            """), null, environment);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal("/data/sub/leases6.csv", config.LeaseDatabase.FilePath);
        Assert.Equal(["/logs/k.log", "stderr", "syslog"], config.Loggers[0].Outputs.Select(o => o.Output));
        Assert.Equal("/hooks/libdhcp_lease_cmds.so", config.HooksLibraries[0].Library);
    }

    [Fact]
    public void DefaultLeaseFileFollowsTheDataDirectory()
    {
        var result = ConfigLoader.LoadText("""{ "Dhcp6": { } }""", null, new ConfigEnvironment("/elsewhere", "/l", "/c", "/h"));
        Assert.Equal("/elsewhere/kea-leases6.csv", result.Config!.LeaseDatabase.FilePath);
    }
}
