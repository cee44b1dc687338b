using Pukeko.Hooks.Testing;
using Pukeko.Protocol.Messages;

namespace PukekoHook.Tests;

/// <summary>
/// The library's callouts run in the real Pukeko engine, in memory: a client asks for an address and the
/// test looks at the reply and the lease store, as a real client and an operator would.
/// </summary>
public sealed class PukekoHookTests
{
    private const string Parameters = """{ "valid-lifetime": 1234, "preferred-lifetime": 1000 }""";

    [Fact]
    public async Task NewAndRenewedAddressesGetTheConfiguredLifetimes()
    {
        await using var server = await HookTestServer.StartAsync(new PukekoHookLibrary(), Parameters);
        var client = server.CreateClient();

        var reply = await client.RequestLeasesAsync();

        Assert.Equal(MessageType.Reply, reply?.Type);
        var address = Assert.Single(client.Addresses);
        Assert.Equal(1234u, address.ValidLifetime);
        Assert.Equal(1000u, address.PreferredLifetime);
        var lease = await server.GetLeaseAsync(address.Address);
        Assert.NotNull(lease);
        Assert.Equal(1234u, lease.ValidLifetime);

        server.AdvanceTime(TimeSpan.FromSeconds(600));
        Assert.Equal(MessageType.Reply, (await client.RenewAsync())?.Type);
        Assert.Equal(1234u, Assert.Single(client.Addresses).ValidLifetime);
    }

    [Fact]
    public async Task APreferredLifetimeLongerThanTheValidOneIsRefusedAtLoad()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            HookTestServer.StartAsync(new PukekoHookLibrary(), """{ "valid-lifetime": 600, "preferred-lifetime": 900 }"""));
    }
}
