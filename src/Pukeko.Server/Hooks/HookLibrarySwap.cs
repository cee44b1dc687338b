namespace Pukeko.Server.Hooks;

/// <summary>
/// Hook libraries loaded beside the running ones for a reconfiguration, as a transaction. Until
/// <see cref="Publish"/> nothing changes for packets. After it the new libraries' callouts are the
/// ones called, but the old libraries stay loaded, so disposing without <see cref="Commit"/> puts
/// them back exactly as they were (callouts registered, no <c>load()</c> run again) and unloads the
/// new ones. <see cref="Commit"/> unloads the old libraries once none of their callouts is running
/// (bounded by <see cref="HooksManager.UnloadWait"/>). Other loads and unloads of the manager wait
/// until the swap is committed or disposed.
/// </summary>
internal sealed class HookLibrarySwap : IDisposable
{
    private readonly HooksManager _manager;
    private readonly InstalledLibraries _incoming;
    private InstalledLibraries? _replaced;
    private bool _finished;

    internal HookLibrarySwap(HooksManager manager, InstalledLibraries incoming)
    {
        _manager = manager;
        _incoming = incoming;
    }

    /// <summary>Makes the new libraries' callouts the ones called (parked packets are dropped, as on any reload).</summary>
    public void Publish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_replaced is not null)
        {
            throw new InvalidOperationException("The hook libraries are already published.");
        }

        _replaced = _manager.Install(_incoming);
    }

    /// <summary>Keeps the new libraries and unloads the old ones after their running callouts returned.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var replaced = _replaced ?? throw new InvalidOperationException("Publish the hook libraries before committing them.");
        _finished = true;
        _manager.FinishSwap(replaced.Libraries);
    }

    /// <summary>Without <see cref="Commit"/>: the old libraries serve again and the new ones are unloaded.</summary>
    public void Dispose()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (_replaced is { } replaced)
        {
            _manager.Install(replaced);
        }

        _manager.FinishSwap(_incoming.Libraries);
    }
}
