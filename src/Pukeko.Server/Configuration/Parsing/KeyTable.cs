using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// The keys one kind of Kea map accepts, each with its handler. Keys Kea accepts but Pukeko does not implement yet are
/// listed separately and produce a warning; anything else is an error, as Kea's grammar rejects unknown keywords.
/// Implementing a key later means moving it from <see cref="Unimplemented"/> to <see cref="On"/>.
/// </summary>
/// <typeparam name="TDraft">The mutable draft the handlers fill.</typeparam>
internal sealed class KeyTable<TDraft>
{
    public delegate void Handler(TDraft draft, JsonElement value, string path, ParseContext context);

    private readonly Dictionary<string, Handler> _handlers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unimplemented = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal) { "user-context", "comment" };

    public KeyTable(string objectName) => ObjectName = objectName;

    /// <summary>How the map is named in "unknown key" messages, e.g. "subnet6".</summary>
    public string ObjectName { get; }

    public KeyTable<TDraft> On(string key, Handler handler)
    {
        _handlers[key] = handler;
        _unimplemented.Remove(key);
        return this;
    }

    public KeyTable<TDraft> Unimplemented(params IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            if (!_handlers.ContainsKey(key))
            {
                _unimplemented.Add(key);
            }
        }

        return this;
    }

    /// <summary>Keys that are valid but carry nothing Pukeko needs (metadata); consumed silently.</summary>
    public KeyTable<TDraft> Ignore(params IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _ignored.Add(key);
        }

        return this;
    }

    /// <summary>Keys that are errors in this map even though they are ignored elsewhere.</summary>
    public KeyTable<TDraft> Forbid(params IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _ignored.Remove(key);
        }

        return this;
    }

    /// <summary>Runs the handler of <paramref name="key"/> on a value found elsewhere; false when the key has none.</summary>
    public bool TryHandle(string key, TDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!_handlers.TryGetValue(key, out var handler))
        {
            return false;
        }

        handler(draft, value, path, context);
        return true;
    }

    public bool Accepts(string key) => _handlers.ContainsKey(key) || _unimplemented.Contains(key) || _ignored.Contains(key);

    /// <summary>Dispatches every key of the map; returns false when the value is not a map at all.</summary>
    public bool Walk(JsonElement map, string path, TDraft draft, ParseContext context, Func<string, string>? unknownKeyMessage = null)
    {
        if (!context.ExpectKind(map, path, JsonValueKind.Object))
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            var key = property.Name;
            var keyPath = ParseContext.Child(path, key);
            if (!seen.Add(key))
            {
                // System.Text.Json keeps duplicates; Kea rejects them, and silently taking one would hide a mistake.
                context.Error(keyPath, $"duplicate key '{key}'");
                continue;
            }

            if (_handlers.TryGetValue(key, out var handler))
            {
                handler(draft, property.Value, keyPath, context);
            }
            else if (_unimplemented.Contains(key))
            {
                context.Warn(keyPath, ParseContext.NotImplementedMessage);
            }
            else if (!_ignored.Contains(key))
            {
                context.Error(keyPath, unknownKeyMessage?.Invoke(key) ?? $"unknown parameter '{key}' in {ObjectName}");
            }
        }

        return true;
    }
}
