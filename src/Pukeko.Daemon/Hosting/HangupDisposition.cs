using System.Runtime.InteropServices;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// A server started under <c>nohup</c> (or by anything else that ignores SIGHUP) inherits SIGHUP as
/// ignored, and .NET then never delivers it to a <see cref="PosixSignalRegistration"/>: "reload on
/// SIGHUP" would silently do nothing. Kea reloads on SIGHUP however it was started, so the default
/// disposition is restored just before the reload handler is registered.
/// </summary>
internal static partial class HangupDisposition
{
    private const int SigHup = 1;
    private static readonly IntPtr Default = IntPtr.Zero; // SIG_DFL

    public static void RestoreDefault()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = SetSignal(SigHup, Default);
        }
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial IntPtr SetSignal(int signal, IntPtr handler);
}
