using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>What test callouts saw: hook names, argument names and copy flags at call time.</summary>
internal sealed class CalloutRecord
{
    public List<string> Hooks { get; } = [];

    public List<IReadOnlyList<string>> ArgumentNames { get; } = [];

    public List<bool> CopyFlags { get; } = [];

    public CalloutHandle? LastHandle { get; set; }

    public int Count(string hook) => Hooks.Count(h => h == hook);

    /// <summary>A callout that records the call, runs <paramref name="body"/> and returns 0.</summary>
    public Callout Record(string hook, Action<CalloutHandle>? body = null) => handle =>
    {
        lock (this)
        {
            Hooks.Add(hook);
            ArgumentNames.Add(handle.ArgumentNames);
            foreach (var name in handle.ArgumentNames)
            {
                if (handle.TryGetArgument<Dhcp6Packet>(name, out var packet) && packet is not null)
                {
                    CopyFlags.Add(packet.CopyRetrievedOptions);
                }
            }

            LastHandle = handle;
        }

        body?.Invoke(handle);
        return 0;
    };
}

internal static class HookTestSupport
{
    public static Subnet6 SecondSubnet { get; } = new()
    {
        Id = 2,
        Prefix = Ipv6Prefix.Parse("2001:db8:2::/64"),
        Pools = [new AddressPool { First = Ipv6Address.Parse("2001:db8:2::10"), Last = Ipv6Address.Parse("2001:db8:2::1f") }],
        ValidLifetime = new Lifetime(4000, 4000, 4000),
        PreferredLifetime = new Lifetime(3000, 3000, 3000),
    };

    /// <summary>How a callout sees <see cref="SecondSubnet"/>.</summary>
    public static Pukeko.Hooks.Subnets.Subnet6 SecondSubnetView { get; } = new() { Id = SecondSubnet.Id, Prefix = SecondSubnet.Prefix };

    public static void On(this PipelineHarness h, string hook, Callout callout) =>
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(hook, callout);

    /// <summary>Kea's checkCalloutHandleReset: after a hook point, no arguments and status CONTINUE.</summary>
    public static void AssertReset(CalloutHandle? handle)
    {
        Assert.NotNull(handle);
        Assert.Equal(NextStep.Continue, handle.Status);
        Assert.Empty(handle.ArgumentNames);
    }
}
