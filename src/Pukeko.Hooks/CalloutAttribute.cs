namespace Pukeko.Hooks;

/// <summary>
/// Registers a public method of the library's entry class as a callout on the named hook point
/// (instead of, or in addition to, naming the method after the hook point). The method takes a
/// <see cref="CalloutHandle"/> and returns <see cref="int"/>, <see cref="void"/>, or, on hook points that can
/// park, <see cref="Task"/>, <see cref="Task{TResult}"/> of int, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/> of int.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class CalloutAttribute : Attribute
{
    /// <summary>Registers the method on <paramref name="hookName"/>, e.g. <c>"pkt6_receive"</c>.</summary>
    /// <param name="hookName">A hook point name (see <see cref="HookNames"/>).</param>
    public CalloutAttribute(string hookName)
    {
        HookName = hookName;
    }

    /// <summary>The hook point name.</summary>
    public string HookName { get; }
}
