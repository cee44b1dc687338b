using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The server these tests run against a database: one /64 subnet on loopback, its files under the test's directory,
/// free UDP ports; the test gives the database keys and the openers of the PostgreSQL backends. Not started.
/// </summary>
internal static class LoopbackTestServer
{
    public const string DefaultPool = "2001:db8:1::1-2001:db8:1::ffff";

    /// <param name="root">The test's directory: the configuration file and the data, log, run and hooks directories go here.</param>
    /// <param name="keys">Global keys of the configuration, each followed by a comma (the lease and hosts databases, ...).</param>
    /// <param name="openers">Options carrying the backends' openers; the file and ports are set here.</param>
    /// <param name="clientPort">The port replies go to (a test client's); null: a free one.</param>
    /// <param name="poolKeys">Further keys of the pool, each preceded by a comma.</param>
    public static Dhcp6Server Create(
        DirectoryInfo root, string keys, ServerOptions openers, ushort? clientPort = null, string pool = DefaultPool, string poolKeys = "")
    {
        var environment = new ConfigEnvironment(
            Path.Combine(root.FullName, "data"), Path.Combine(root.FullName, "log"), Path.Combine(root.FullName, "run"), Path.Combine(root.FullName, "hooks"));
        Directory.CreateDirectory(environment.DataDirectory);
        var configFile = Path.Combine(root.FullName, "kea-dhcp6.conf");
        File.WriteAllText(configFile, $$"""
            {
              "Dhcp6": {
                "interfaces-config": { "interfaces": [ "lo" ] },
                {{keys}}
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lo", "pools": [ { "pool": "{{pool}}"{{poolKeys}} } ] } ]
              }
            }
            """);
        var options = openers with
        {
            ConfigFile = configFile,
            ServerPort = (ushort)LoopbackPorts.Free(),
            ClientPort = clientPort ?? (ushort)LoopbackPorts.Free(),
        };
        return new Dhcp6Server(options, environment, NullLoggerFactory.Instance, TimeProvider.System);
    }

    /// <summary><see cref="Create"/>, then started.</summary>
    public static async Task<Dhcp6Server> StartAsync(DirectoryInfo root, string keys, ServerOptions openers)
    {
        var server = Create(root, keys, openers);
        await server.StartAsync();
        return server;
    }
}
