namespace Pukeko.Hooks;

/// <summary>
/// What a callout works on: the named arguments of the hook point, the next-step status shared
/// by all callouts of one hook invocation, and a per-library context that lives as long as the
/// packet (set something in <c>pkt6_receive</c>, read it in <c>pkt6_send</c>).
/// </summary>
/// <remarks>
/// Arguments are typed: <see cref="GetArgument{T}"/> requires exactly the type the server set
/// (listed per hook point in docs/hooks.md), as Kea's <c>getArgument</c> does. One handle belongs
/// to one packet and is used by one thread at a time.
/// </remarks>
public sealed class CalloutHandle
{
    /// <summary>Library index the server uses when it sets context itself (Kea's "no library").</summary>
    public const int ServerLibraryIndex = -1;

    private readonly Dictionary<string, TypedValue> _arguments = new(StringComparer.Ordinal);
    private Dictionary<int, Dictionary<string, TypedValue>>? _contexts;

    /// <summary>Creates an empty handle (the server makes one per packet; tests of callouts may make their own).</summary>
    public CalloutHandle()
    {
    }

    /// <summary>The status every callout of the current hook point may read and set. Reset to <see cref="NextStep.Continue"/> before and after each hook point.</summary>
    public NextStep Status { get; set; }

    /// <summary>The hook point being called, or empty outside callouts.</summary>
    public string HookName { get; internal set; } = string.Empty;

    /// <summary>Index of the library whose callout runs now (1-based in configuration order); selects the context.</summary>
    public int CurrentLibrary { get; internal set; } = ServerLibraryIndex;

    /// <summary>The parking lot of the current hook point; null where the hook point cannot park.</summary>
    public ParkingLotHandle? ParkingLot { get; internal set; }

    /// <summary>Cancelled when the server stops waiting for an asynchronous callout (timeout, reconfiguration, shutdown).</summary>
    public CancellationToken CancellationToken { get; internal set; }

    /// <summary>Argument names in ascending ordinal order (Kea returns them sorted).</summary>
    public IReadOnlyList<string> ArgumentNames
    {
        get
        {
            var names = new List<string>(_arguments.Keys);
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <summary>Sets (or replaces) an argument; <typeparamref name="T"/> is the type readers must ask for.</summary>
    /// <typeparam name="T">The declared type of the argument.</typeparam>
    /// <param name="name">Argument name, e.g. <c>query6</c>.</param>
    /// <param name="value">The value; may be null for reference types.</param>
    public void SetArgument<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        _arguments[name] = new TypedValue(typeof(T), value);
    }

    /// <summary>Reads an argument.</summary>
    /// <typeparam name="T">Exactly the type the argument was set with.</typeparam>
    /// <param name="name">Argument name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">No argument of that name.</exception>
    /// <exception cref="InvalidCastException">The argument has another type.</exception>
    public T GetArgument<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_arguments.TryGetValue(name, out var entry))
        {
            throw new KeyNotFoundException($"no argument '{name}' on hook point '{HookName}'");
        }

        return entry.As<T>(name);
    }

    /// <summary>Reads an argument if it exists with exactly type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="name">Argument name.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when found with that type.</returns>
    public bool TryGetArgument<T>(string name, out T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_arguments.TryGetValue(name, out var entry) && entry.Type == typeof(T))
        {
            value = (T)entry.Value!;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Removes one argument; false if absent.</summary>
    /// <param name="name">Argument name.</param>
    /// <returns>True when it existed.</returns>
    public bool DeleteArgument(string name) => _arguments.Remove(name);

    /// <summary>Removes every argument.</summary>
    public void DeleteAllArguments() => _arguments.Clear();

    /// <summary>Stores a value in the current library's context for this packet.</summary>
    /// <typeparam name="T">The declared type.</typeparam>
    /// <param name="name">Context name.</param>
    /// <param name="value">Value.</param>
    public void SetContext<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        CurrentContext(create: true)![name] = new TypedValue(typeof(T), value);
    }

    /// <summary>Reads a value the current library stored earlier for this packet.</summary>
    /// <typeparam name="T">Exactly the type it was stored with.</typeparam>
    /// <param name="name">Context name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">Nothing stored under that name by this library.</exception>
    /// <exception cref="InvalidCastException">Stored with another type.</exception>
    public T GetContext<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (CurrentContext(create: false) is not { } context || !context.TryGetValue(name, out var entry))
        {
            throw new KeyNotFoundException($"no context '{name}' for library {CurrentLibrary}");
        }

        return entry.As<T>(name);
    }

    /// <summary>Reads a context value if present with exactly that type.</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="name">Context name.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGetContext<T>(string name, out T value)
    {
        if (CurrentContext(create: false) is { } context && context.TryGetValue(name, out var entry) && entry.Type == typeof(T))
        {
            value = (T)entry.Value!;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The current library's context names, sorted.</summary>
    public IReadOnlyList<string> ContextNames
    {
        get
        {
            var names = CurrentContext(create: false) is { } context ? new List<string>(context.Keys) : [];
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <summary>Removes one of the current library's context values.</summary>
    /// <param name="name">Context name.</param>
    /// <returns>True when it existed.</returns>
    public bool DeleteContext(string name) => CurrentContext(create: false)?.Remove(name) ?? false;

    /// <summary>Removes all of the current library's context values.</summary>
    public void DeleteAllContext() => _contexts?.Remove(CurrentLibrary);

    /// <summary>Reads a context value of a given library (the server uses this for what a library left behind).</summary>
    internal bool TryGetContextOf<T>(int library, string name, out T value)
    {
        var saved = CurrentLibrary;
        CurrentLibrary = library;
        try
        {
            return TryGetContext(name, out value);
        }
        finally
        {
            CurrentLibrary = saved;
        }
    }

    /// <summary>
    /// A check the server runs on the arguments after each callout of the current hook point (for example: the
    /// lease handed back still belongs to this client); returns why they are unusable, or null. Cleared with the
    /// arguments.
    /// </summary>
    internal Func<CalloutHandle, string?>? ArgumentCheck { get; set; }

    /// <summary>Why a callout of the current hook point left its arguments unusable; null while they are fine.</summary>
    internal string? ArgumentViolation { get; set; }

    /// <summary>The declared type and the value of an argument, whatever its type, for the server's checks.</summary>
    internal bool TryGetArgumentEntry(string name, out Type type, out object? value)
    {
        if (_arguments.TryGetValue(name, out var entry))
        {
            type = entry.Type;
            value = entry.Value;
            return true;
        }

        type = typeof(void);
        value = null;
        return false;
    }

    /// <summary>Arguments cleared and status back to CONTINUE (Kea's ScopedCalloutHandleState).</summary>
    internal void ResetState()
    {
        _arguments.Clear();
        ArgumentCheck = null;
        ArgumentViolation = null;
        Status = NextStep.Continue;
        HookName = string.Empty;
        CurrentLibrary = ServerLibraryIndex;
        ParkingLot = null;
    }

    private Dictionary<string, TypedValue>? CurrentContext(bool create)
    {
        if (_contexts is null)
        {
            if (!create)
            {
                return null;
            }

            _contexts = [];
        }

        if (!_contexts.TryGetValue(CurrentLibrary, out var context) && create)
        {
            context = new Dictionary<string, TypedValue>(StringComparer.Ordinal);
            _contexts[CurrentLibrary] = context;
        }

        return context;
    }

    private readonly record struct TypedValue(Type Type, object? Value)
    {
        public T As<T>(string name) =>
            Type == typeof(T)
                ? (T)Value!
                : throw new InvalidCastException($"argument '{name}' is a {Type.FullName}, not a {typeof(T).FullName}");
    }
}
