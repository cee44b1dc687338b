using Pukeko.Hooks;
using Pukeko.Hooks.Leases;

namespace PukekoHook;

/// <summary>
/// The library's entry class (exactly one per assembly). This one gives every address lease the
/// lifetimes configured in "parameters": {"valid-lifetime": ..., "preferred-lifetime": ...}.
/// See docs/hooks.md for every hook point, its arguments and statuses.
/// </summary>
public sealed class PukekoHookLibrary : HookLibrary
{
    private uint _valid = 7200;
    private uint _preferred = 3600;

    /// <summary>Callouts only read fields set in Load, so several packets may run them at once.</summary>
    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        _valid = handle.GetParameter("valid-lifetime")?.GetUInt32() ?? _valid;
        _preferred = handle.GetParameter("preferred-lifetime")?.GetUInt32() ?? _preferred;
        return _preferred <= _valid ? 0 : 1;
    }

    public override int Unload() => 0;

    // Convention: a public method named after the hook point is registered as its callout.
    public int Lease6Select(CalloutHandle handle) => Apply(handle);

    public int Lease6Renew(CalloutHandle handle) => Apply(handle);

    public int Lease6Rebind(CalloutHandle handle) => Apply(handle);

    private int Apply(CalloutHandle handle)
    {
        var lease = handle.GetArgument<Lease6>("lease6");
        lease.ValidLifetime = _valid;
        lease.PreferredLifetime = _preferred;
        return 0;
    }
}
