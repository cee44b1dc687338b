namespace Pukeko.Hooks;

/// <summary>
/// The version of the hooks API: the public surface of Pukeko.Hooks and Pukeko.Protocol. A server
/// loads a library built against the same <see cref="Major"/> and a <see cref="Minor"/> no newer
/// than its own; it reads which version a library was built against from the library's reference
/// to Pukeko.Hooks, whose assembly version is always <c>Major.Minor.0.0</c>.
/// </summary>
/// <remarks>
/// These are constants, so the compiler copies them into the library: a library that reads them
/// sees the version it was compiled against, not the version of the server it runs in.
/// </remarks>
public static class HooksApiVersion
{
    /// <summary>Raised when something public is removed or changed incompatibly; every library must be rebuilt.</summary>
    public const int Major = 2;

    /// <summary>Raised when something public is added; libraries built against an older minor keep loading.</summary>
    public const int Minor = 0;
}
