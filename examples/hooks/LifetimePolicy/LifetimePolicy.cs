using Pukeko.Hooks;
using Pukeko.Protocol.Options;
using Pukeko.Hooks.Leases;

namespace LifetimePolicy;

/// <summary>
/// Gives every address lease the lifetimes from <c>parameters</c>
/// (<c>valid-lifetime</c>, <c>preferred-lifetime</c>), on allocation, renewal and rebinding.
/// The server derives T1/T2 and the IA_ADDR lifetimes from the lease after the callouts, so the
/// client sees the new values.
/// </summary>
public sealed class LifetimePolicyLibrary : HookLibrary
{
    private uint _valid = 3600;
    private uint _preferred = 1800;

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _valid = handle.GetParameter("valid-lifetime")?.GetUInt32() ?? _valid;
        _preferred = handle.GetParameter("preferred-lifetime")?.GetUInt32() ?? Math.Min(_preferred, _valid);
        return _preferred <= _valid ? 0 : 1; // RFC 8415 §21.6: preferred must not exceed valid
    }

    public int Lease6Select(CalloutHandle handle) => Apply(handle);

    public int Lease6Renew(CalloutHandle handle) => Apply(handle);

    public int Lease6Rebind(CalloutHandle handle) => Apply(handle);

    private int Apply(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var lease = handle.GetArgument<Lease6>("lease6");
        if (lease.Type != LeaseType.NA)
        {
            return 0;
        }

        lease.ValidLifetime = _valid;
        lease.PreferredLifetime = _preferred;
        return 0;
    }
}
