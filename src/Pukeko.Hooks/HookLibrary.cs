namespace Pukeko.Hooks;

/// <summary>
/// The entry class of a hook library: exactly one public, non-abstract subclass with a public
/// parameterless constructor per library assembly. The server creates it, calls
/// <see cref="Load"/>, registers its convention callouts (public methods named after a hook point,
/// e.g. <c>pkt6_receive</c> or <c>Pkt6Receive</c>, or marked with <see cref="CalloutAttribute"/>),
/// and calls <see cref="Unload"/> before it unloads the library.
/// </summary>
public abstract class HookLibrary
{
    /// <summary>
    /// True when every callout may run on several threads at once. Kea's rule: while
    /// <c>multi-threading.enable-multi-threading</c> is true (the default) a library that does not
    /// say so is refused. Default false.
    /// </summary>
    public virtual bool MultiThreadingCompatible => false;

    /// <summary>Called once after the library is loaded. Return 0 on success; anything else (or an exception) fails the configuration.</summary>
    /// <param name="handle">Registers callouts and commands, reads parameters.</param>
    /// <returns>0 on success.</returns>
    public virtual int Load(LibraryHandle handle) => 0;

    /// <summary>Called before the library is unloaded (reconfiguration, shutdown), in reverse configuration order. Non-zero is logged.</summary>
    /// <returns>0 on success.</returns>
    public virtual int Unload() => 0;
}
