using Pukeko.Hooks;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using LeaseView = Pukeko.Hooks.Leases.Lease6;

namespace Pukeko.Server.Hooks.Views;

/// <summary>The <c>lease6</c> argument: set as a callout's copy of the engine's lease, read back onto it.</summary>
internal static class LeaseArgument
{
    public const string Name = "lease6";

    /// <summary>For a lease that must stay this client's lease at this block (extension, release, decline, reuse).</summary>
    public static void SetFixed(CalloutHandle handle, Lease6 lease)
    {
        handle.SetArgument(Name, LeaseViews.ToView(lease));
        handle.ArgumentCheck = LeaseArgumentCheck.Fixed(lease);
    }

    /// <summary>For a new lease in <paramref name="subnet"/>, which a callout may move to another block of its pools.</summary>
    public static void SetNew(CalloutHandle handle, Lease6 lease, Subnet6 subnet)
    {
        handle.SetArgument(Name, LeaseViews.ToView(lease));
        handle.ArgumentCheck = LeaseArgumentCheck.NewIn(lease, subnet);
    }

    /// <summary>Without a check (reclamation: the server keeps its own lease when the callouts break it).</summary>
    public static void Set(CalloutHandle handle, Lease6 lease) => handle.SetArgument(Name, LeaseViews.ToView(lease));

    /// <summary><paramref name="original"/> with the callouts' changes; itself when the argument was deleted or changed nothing.</summary>
    public static Lease6 Read(CalloutHandle handle, Lease6 original, Subnet6? subnet = null) =>
        handle.TryGetArgument<LeaseView>(Name, out var view) && view is not null ? LeaseViews.Apply(view, original, subnet) : original;
}
