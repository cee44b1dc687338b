using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Npgsql;
using Npgsql.Internal;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Makes the socket of a connection that is only ever used synchronously (the packet workers' pool) a kernel-blocking
/// socket again, as libpq's, and so a Kea worker's, is.
/// <para>
/// Why: Npgsql connects with <c>Blocking = false</c> (for its connect timeout). .NET keeps such a socket
/// non-blocking for good and emulates every later blocking read on its socket engine: the read registers the socket
/// with the engine's edge-triggered epoll, the engine's thread wakes at the reply and wakes the reader. Epoll also
/// reports the socket writable with each reply, and that event, having no waiting send to serve, goes to a thread-pool
/// thread. So each round trip woke three threads where Kea wakes one: in a profile at 1000 leases/s, the engine's and
/// the thread pool's threads took 40 % of Pukeko's CPU (docs/performance.md).
/// </para>
/// <para>
/// Detached here (blocking again, out of every epoll set of the process), a worker's read blocks in the kernel's
/// <c>recv</c> and wakes that worker alone. .NET still believes the socket non-blocking, which costs nothing: a
/// synchronous read or write first tries the system call, and that call now waits. Npgsql's read timeout stays a
/// kernel receive timeout (<c>SO_RCVTIMEO</c>, which .NET sets with <c>ReceiveTimeout</c>). An asynchronous read on
/// a detached socket would block its caller, so only a pool used synchronously may be given this initializer.
/// </para>
/// <para>
/// The socket is Npgsql's private field: if a later Npgsql renames it, connections stay as Npgsql made them (correct,
/// only slower), and <c>KernelBlockingSocketsTests</c> fails so that the upgrade is noticed.
/// </para>
/// </summary>
internal static partial class KernelBlockingSockets
{
    private const int GetStatusFlags = 3; // F_GETFL
    private const int SetStatusFlags = 4; // F_SETFL
    private const int NonBlockingFlag = 0x800; // O_NONBLOCK on Linux (x86-64 and arm64)
    private const int EpollRemove = 2; // EPOLL_CTL_DEL
    private const string EpollLink = "anon_inode:[eventpoll]";

    private static volatile bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// Makes <paramref name="connection"/>'s socket kernel-blocking and removes it from every epoll set; false where
    /// that is not possible (not Linux, an Npgsql without the field, a failed system call), the connection then stays
    /// as Npgsql made it.
    /// </summary>
    public static bool TryDetach(NpgsqlConnection connection)
    {
        if (s_unavailable)
        {
            return false;
        }

        var socket = SocketOf(connection);
        if (socket is null)
        {
            return false;
        }

        // The handle stays referenced while the fd is used, so a concurrent dispose cannot hand its number to another file.
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var flags = Fcntl(fd, GetStatusFlags, 0);
            if (flags < 0 || Fcntl(fd, SetStatusFlags, flags & ~NonBlockingFlag) < 0)
            {
                return false;
            }

            foreach (var epoll in EpollDescriptors())
            {
                // ENOENT where the socket is not in that set, as it is not in any but the socket engine's.
                _ = EpollCtl(epoll, EpollRemove, fd, IntPtr.Zero);
            }

            return true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The socket of <paramref name="connection"/>'s physical connection; null when it has none or this Npgsql does not keep it so.</summary>
    internal static Socket? SocketOf(NpgsqlConnection connection)
    {
        try
        {
#pragma warning disable NPG9001
            return ConnectorOf(connection) is { } connector ? SocketField(connector) : null;
#pragma warning restore NPG9001
        }
        catch (Exception e) when (e is MissingMemberException or MemberAccessException)
        {
            s_unavailable = true;
            return null;
        }
    }

    /// <summary>The process's epoll descriptors: .NET's socket engines (one per few cores) and any other.</summary>
    internal static List<int> EpollDescriptors()
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(entry).LinkTarget == EpollLink
                    && int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
                {
                    found.Add(fd);
                }
            }
            catch (IOException)
            {
                // Closed while listed: not one of ours.
            }
        }

        return found;
    }

    // NPG9001: NpgsqlConnector is Npgsql's internal type (public for its plugins); only its socket is read here.
#pragma warning disable NPG9001
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Connector")]
    private static extern NpgsqlConnector? ConnectorOf(NpgsqlConnection connection);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_socket")]
    private static extern ref Socket? SocketField(NpgsqlConnector connector);
#pragma warning restore NPG9001

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, IntPtr ev);
}
