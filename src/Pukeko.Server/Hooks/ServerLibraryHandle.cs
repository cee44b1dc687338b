using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;

namespace Pukeko.Server.Hooks;

/// <summary>The server's <see cref="LibraryHandle"/>: registrations go to the library's entry in the <see cref="HooksManager"/>.</summary>
internal sealed class ServerLibraryHandle : LibraryHandle
{
    private readonly HooksManager _manager;
    private readonly LoadedLibrary _library;

    public ServerLibraryHandle(HooksManager manager, LoadedLibrary library, ILoggerFactory loggers)
        : base(library.Path, library.Index, library.Parameters, loggers)
    {
        _manager = manager;
        _library = library;
    }

    public override void RegisterCallout(string hookName, Callout callout)
    {
        ArgumentNullException.ThrowIfNull(callout);
        _manager.Register(_library, new HookRegistration(HookIndex(hookName), callout, callout, null));
    }

    public override void RegisterCallout(string hookName, AsyncCallout callout)
    {
        ArgumentNullException.ThrowIfNull(callout);
        var index = HookIndex(hookName);
        if (!HookPoints.All[index].CanPark)
        {
            throw new ArgumentException($"hook point '{hookName}' cannot park, so it takes no asynchronous callouts", nameof(hookName));
        }

        _manager.Register(_library, new HookRegistration(index, callout, null, callout));
    }

    public override bool DeregisterCallout(string hookName, Delegate callout) =>
        _manager.Deregister(_library, HookIndex(hookName), callout);

    public override bool DeregisterAllCallouts(string hookName) =>
        _manager.Deregister(_library, HookIndex(hookName), null);

    public override void RegisterCommandHandler(string command, CommandHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(handler);
        _manager.RegisterCommand(_library, command, handler);
    }

    private static int HookIndex(string hookName)
    {
        ArgumentNullException.ThrowIfNull(hookName);
        var index = HookPoints.IndexOf(hookName);
        return index >= 0 ? index : throw new ArgumentException($"no hook point named '{hookName}'", nameof(hookName));
    }
}
