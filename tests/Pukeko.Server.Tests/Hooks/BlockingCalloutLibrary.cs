using System.Collections.Concurrent;
using Pukeko.Hooks;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>An in-process library whose <c>pkt6_receive</c> callout blocks until released, logging what happened in which order.</summary>
internal sealed class BlockingCalloutLibrary : HookLibrary
{
    public SemaphoreSlim Entered { get; } = new(0);

    public SemaphoreSlim Proceed { get; } = new(0);

    public ConcurrentQueue<string> Events { get; } = new();

    public int Loads { get; private set; }

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Loads++;
        handle.RegisterCallout(HookNames.Pkt6Receive, Block);
        return 0;
    }

    public override int Unload()
    {
        Events.Enqueue("unload");
        return 0;
    }

    /// <summary>The callout; registered by <see cref="Load"/>, or by a test on another library's handle.</summary>
    public int Block(CalloutHandle handle)
    {
        Events.Enqueue("callout entered");
        Entered.Release();
        Proceed.Wait();
        Events.Enqueue("callout returned");
        return 0;
    }
}
