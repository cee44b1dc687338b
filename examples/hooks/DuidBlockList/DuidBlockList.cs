using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace DuidBlockList;

/// <summary>
/// Drops every packet whose Client-ID is on a block list (<c>pkt6_receive</c>, status DROP).
/// The list starts from <c>parameters.duids</c> (hex strings) and is edited at run time with the
/// control commands <c>block-list-add</c> / <c>block-list-remove</c> (<c>{"duid": "00:01:..."}</c>)
/// and read with <c>block-list-get</c>.
/// </summary>
public sealed class DuidBlockListLibrary : HookLibrary
{
    private readonly HashSet<string> _blocked = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.GetParameter("duids") is { ValueKind: JsonValueKind.Array } initial)
        {
            foreach (var duid in initial.EnumerateArray())
            {
                _blocked.Add(Normalize(duid.GetString()!));
            }
        }

        handle.RegisterCommandHandler("block-list-add", (command, _) => Edit(command, add: true));
        handle.RegisterCommandHandler("block-list-remove", (command, _) => Edit(command, add: false));
        handle.RegisterCommandHandler("block-list-get", (_, _) =>
        {
            lock (_lock)
            {
                var list = new JsonArray([.. _blocked.Order().Select(d => JsonValue.Create(d))]);
                return ValueTask.FromResult(new JsonObject { ["result"] = 0, ["text"] = $"{_blocked.Count} DUIDs blocked", ["arguments"] = new JsonObject { ["duids"] = list } });
            }
        });
        return 0;
    }

    public int Pkt6Receive(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var query = handle.GetArgument<Dhcp6Packet>("query6");
        if (query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is not { } clientId)
        {
            return 0;
        }

        var key = Convert.ToHexString(clientId.Duid.Bytes).ToLowerInvariant();
        lock (_lock)
        {
            if (_blocked.Contains(key))
            {
                handle.Status = NextStep.Drop;
            }
        }

        return 0;
    }

    private ValueTask<JsonObject> Edit(JsonObject command, bool add)
    {
        if (command["arguments"]?["duid"]?.GetValue<string>() is not { } text)
        {
            return ValueTask.FromResult(new JsonObject { ["result"] = 1, ["text"] = "missing argument 'duid'" });
        }

        string duid;
        try
        {
            duid = Normalize(text);
        }
        catch (FormatException)
        {
            return ValueTask.FromResult(new JsonObject { ["result"] = 1, ["text"] = $"'{text}' is not a hex DUID" });
        }

        bool changed;
        lock (_lock)
        {
            changed = add ? _blocked.Add(duid) : _blocked.Remove(duid);
        }

        // Kea's convention: 3 = "empty" (nothing to do).
        return ValueTask.FromResult(new JsonObject { ["result"] = changed ? 0 : 3, ["text"] = changed ? $"DUID {duid} {(add ? "blocked" : "unblocked")}" : "no change" });
    }

    private static string Normalize(string text) =>
        Convert.ToHexString(Convert.FromHexString(text.Replace(":", "", StringComparison.Ordinal))).ToLowerInvariant();
}
