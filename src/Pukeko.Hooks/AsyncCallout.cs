namespace Pukeko.Hooks;

/// <summary>
/// An asynchronous callout, allowed only on hook points that can park (<c>subnet6_select</c>,
/// <c>leases6_committed</c>). While the returned task runs the packet is parked without holding
/// a worker thread; processing resumes when it completes. The server gives up after the
/// library's <see cref="LibraryHandle.AsyncCalloutTimeout"/>, cancels
/// <see cref="CalloutHandle.CancellationToken"/> and drops the packet.
/// </summary>
/// <param name="handle">The arguments, status and per-library context of the packet being processed.</param>
public delegate ValueTask<int> AsyncCallout(CalloutHandle handle);
