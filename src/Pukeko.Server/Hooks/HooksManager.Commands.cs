using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Hooks.Configuration;
using Pukeko.Hooks.Hosts;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Hooks;

// The control-channel seam (commands registered by libraries, command_processed, libreload) and
// the hook points that are not on the packet path.
internal sealed partial class HooksManager
{
    public IReadOnlyCollection<string> CommandNames
    {
        get
        {
            lock (_gate)
            {
                var names = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var library in AllLibrariesLocked())
                {
                    names.UnionWith(library.Commands.Keys);
                }

                names.Remove("list-commands");
                return names;
            }
        }
    }

    public bool TryGetHandler(string command, out Func<JsonObject, CancellationToken, ValueTask<JsonObject>>? handler)
    {
        List<(LoadedLibrary Library, CommandHandler Handler)> handlers = [];
        lock (_gate)
        {
            if (command != "list-commands")
            {
                foreach (var library in AllLibrariesLocked())
                {
                    if (library.Commands.TryGetValue(command, out var found))
                    {
                        handlers.Add((library, found));
                    }
                }
            }
        }

        if (handlers.Count == 0)
        {
            handler = null;
            return false;
        }

        // Several libraries may answer the same command: they run in library order and the last
        // answer is the response (Kea lets each callout replace the response).
        handler = async (request, ct) =>
        {
            JsonObject? response = null;
            foreach (var (library, each) in handlers)
            {
                // Like a callout, a handler runs inside its library's gate so unloading waits for it.
                if (!library.Calls.TryEnter())
                {
                    continue;
                }

                try
                {
                    response = await each(request, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
                {
                    _log.LogError(new EventId(0, "HOOKS_CALLOUT_EXCEPTION"), ex, "exception thrown by command handler {Command} of library {Library}: {Reason}", command, library.Name, ex.Message);
                    response = new JsonObject { ["result"] = 1, ["text"] = $"command {command} failed: {ex.Message}" };
                }
                finally
                {
                    library.Calls.Leave();
                }
            }

            // Every library answering it was unloaded after the command was looked up.
            return response ?? Answer(2, $"'{command}' command not supported.");
        };
        return true;
    }

    public JsonObject CommandProcessed(string name, JsonNode? arguments, JsonObject response)
    {
        if (!HasCallouts(HookPoints.CommandProcessed))
        {
            return response;
        }

        var handle = CreateHandle();
        try
        {
            handle.SetArgument("name", name);
            handle.SetArgument("arguments", arguments);
            handle.SetArgument("response", response);
            Call(HookPoints.CommandProcessed, handle);
            return handle.TryGetArgument<JsonObject>("response", out var replaced) && replaced is not null ? replaced : response;
        }
        finally
        {
            EndCall(handle);
            ReleaseHandle(handle);
        }
    }

    /// <summary>
    /// <c>libreload</c>: with no name, unloads every library (reverse order) and loads the
    /// configured list again; with a name (file name, with or without extension, or full path),
    /// reloads only that library at its place in the order, leaving the others running.
    /// </summary>
    public ValueTask<JsonObject> ReloadLibrariesAsync(string? libraryName, CancellationToken ct)
    {
        try
        {
            if (libraryName is null)
            {
                IReadOnlyList<HooksLibraryConfig> configured;
                bool mt;
                lock (_gate)
                {
                    configured = _configured;
                    mt = _multiThreading;
                }

                Load(configured, mt);
                return ValueTask.FromResult(Answer(0, "Hooks libraries successfully reloaded."));
            }

            ReloadOne(libraryName);
            return ValueTask.FromResult(Answer(0, $"Hooks library {libraryName} successfully reloaded."));
        }
        catch (HookLoadException ex)
        {
            return ValueTask.FromResult(Answer(1, $"Failed to reload hooks libraries: {ex.Message}"));
        }
    }

    private void ReloadOne(string name)
    {
        _lifecycle.Wait();
        try
        {
            LoadedLibrary old;
            HooksLibraryConfig config;
            int position;
            lock (_gate)
            {
                position = _libraries.FindIndex(l => Matches(l, name));
                if (position < 0)
                {
                    throw new HookLoadException($"no hooks library named {name} is loaded");
                }

                old = _libraries[position];
                if (!old.FromFile)
                {
                    throw new HookLoadException($"hooks library {name} was not loaded from a file");
                }

                config = _configured.FirstOrDefault(c => c.Library == old.Path) ?? new HooksLibraryConfig(old.Path, old.Parameters);
                foreach (var lot in _lots)
                {
                    lot.Clear();
                }

                var remaining = new List<LoadedLibrary>(_libraries);
                remaining.RemoveAt(position);
                _libraries = remaining;
                RebuildLocked();
            }

            RetireLibraries([old]);
            var fresh = LoadFromFile(old.Index, config, _multiThreading);
            lock (_gate)
            {
                var libraries = new List<LoadedLibrary>(_libraries);
                libraries.Insert(Math.Min(position, libraries.Count), fresh);
                _libraries = libraries;
                RebuildLocked();
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private static bool Matches(LoadedLibrary library, string name) =>
        library.Path == name || library.Name == name || Path.GetFileNameWithoutExtension(library.Path) == name;

    private static JsonObject Answer(int result, string text) => new() { ["result"] = result, ["text"] = text };

    /// <summary>
    /// <c>dhcp6_srv_configured</c>: returns null when the configuration may go ahead, else the
    /// reason (the callout's <c>error</c> argument, or "unknown error") when a callout said DROP.
    /// </summary>
    public string? CallSrvConfigured(DhcpConfig config, Control.NetworkState? network = null)
    {
        if (!HasCallouts(HookPoints.Dhcp6SrvConfigured))
        {
            return null;
        }

        var handle = CreateHandle();
        try
        {
            handle.SetArgument("json_config", config.Source);
            handle.SetArgument("server_config", Views.ConfigViews.Of(config).Server);
            if (network is not null)
            {
                handle.SetArgument<INetworkState>("network_state", network);
            }

            handle.SetArgument("error", string.Empty);
            if (Call(HookPoints.Dhcp6SrvConfigured, handle) != NextStep.Drop)
            {
                return null;
            }

            return handle.TryGetArgument<string>("error", out var error) && !string.IsNullOrEmpty(error) ? error : "unknown error";
        }
        finally
        {
            EndCall(handle);
            ReleaseHandle(handle);
        }
    }

    /// <summary>
    /// <c>host6_identifier</c>, for host reservation lookup when <c>flex-id</c> is among the
    /// identifiers: returns the identifier the callouts produced, or null when there are no
    /// callouts, the status is not CONTINUE, or <c>id_value</c> stayed empty (as Kea).
    /// </summary>
    public (HostIdentifierType Type, byte[] Value)? CallHost6Identifier(Dhcp6Packet query, CalloutHandle? handle = null)
    {
        if (!HasCallouts(HookPoints.Host6Identifier))
        {
            return null;
        }

        var own = handle is null;
        handle ??= CreateHandle();
        try
        {
            handle.SetArgument("query6", query);
            handle.SetArgument("id_type", HostIdentifierType.FlexId);
            handle.SetArgument("id_value", Array.Empty<byte>());
            query.CopyRetrievedOptions = true;
            var status = Call(HookPoints.Host6Identifier, handle);
            var type = handle.TryGetArgument<HostIdentifierType>("id_type", out var t) ? t : HostIdentifierType.FlexId;
            var value = handle.TryGetArgument<byte[]>("id_value", out var v) ? v : [];
            return status == NextStep.Continue && value is { Length: > 0 } ? (type, value) : null;
        }
        finally
        {
            EndCall(handle, query);
            if (own)
            {
                ReleaseHandle(handle);
            }
        }
    }
}
