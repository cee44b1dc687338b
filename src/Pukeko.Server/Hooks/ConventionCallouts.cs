using System.Reflection;
using System.Text;
using Pukeko.Hooks;

namespace Pukeko.Server.Hooks;

/// <summary>
/// Finds the callouts an entry class declares by convention: a public instance method named
/// after a hook point (<c>pkt6_receive</c> or <c>Pkt6Receive</c>) or marked
/// <see cref="CalloutAttribute"/>, taking a <see cref="CalloutHandle"/>.
/// </summary>
internal static class ConventionCallouts
{
    public static List<(string Hook, Delegate Callout)> Find(HookLibrary entry)
    {
        var found = new List<(string, Delegate)>();
        var methods = entry.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance);
        foreach (var method in methods)
        {
            var hooks = new List<string>();
            foreach (var attribute in method.GetCustomAttributes<CalloutAttribute>())
            {
                if (HookPoints.IndexOf(attribute.HookName) < 0)
                {
                    throw new HookLoadException($"method {method.Name} is marked for unknown hook point '{attribute.HookName}'");
                }

                hooks.Add(attribute.HookName);
            }

            if (hooks.Count == 0)
            {
                foreach (var point in HookPoints.All)
                {
                    if (method.Name == point.Name || method.Name == PascalCase(point.Name))
                    {
                        hooks.Add(point.Name);
                    }
                }
            }

            foreach (var hook in hooks)
            {
                found.Add((hook, Bind(entry, method, hook)));
            }
        }

        return found;
    }

    public static string PascalCase(string hookName)
    {
        var text = new StringBuilder(hookName.Length);
        var upper = true;
        foreach (var c in hookName)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            text.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return text.ToString();
    }

    private static Delegate Bind(HookLibrary entry, MethodInfo method, string hook)
    {
        var parameters = method.GetParameters();
        if (parameters.Length != 1 || parameters[0].ParameterType != typeof(CalloutHandle))
        {
            throw new HookLoadException($"callout {method.Name} for {hook} must take exactly one CalloutHandle");
        }

        var canPark = HookPoints.All[HookPoints.IndexOf(hook)].CanPark;
        var type = method.ReturnType;
        if (type == typeof(int))
        {
            return method.CreateDelegate<Callout>(entry);
        }

        if (type == typeof(void))
        {
            var action = method.CreateDelegate<Action<CalloutHandle>>(entry);
            return new Callout(h =>
            {
                action(h);
                return 0;
            });
        }

        if (!canPark && (type == typeof(Task) || type == typeof(Task<int>) || type == typeof(ValueTask) || type == typeof(ValueTask<int>)))
        {
            throw new HookLoadException($"callout {method.Name} is asynchronous but hook point {hook} cannot park");
        }

        if (type == typeof(ValueTask<int>))
        {
            return method.CreateDelegate<AsyncCallout>(entry);
        }

        if (type == typeof(Task<int>))
        {
            var f = method.CreateDelegate<Func<CalloutHandle, Task<int>>>(entry);
            return new AsyncCallout(h => new ValueTask<int>(f(h)));
        }

        if (type == typeof(Task))
        {
            var f = method.CreateDelegate<Func<CalloutHandle, Task>>(entry);
            return new AsyncCallout(h => ZeroAfter(f(h)));
        }

        if (type == typeof(ValueTask))
        {
            var f = method.CreateDelegate<Func<CalloutHandle, ValueTask>>(entry);
            return new AsyncCallout(h => ZeroAfter(f(h)));
        }

        throw new HookLoadException($"callout {method.Name} for {hook} returns {type.Name}; use int, void, Task, Task<int>, ValueTask or ValueTask<int>");
    }

    private static ValueTask<int> ZeroAfter(Task task) =>
        task.IsCompletedSuccessfully ? new ValueTask<int>(0) : new ValueTask<int>(task.ContinueWith(static t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default));

    private static ValueTask<int> ZeroAfter(ValueTask task) =>
        task.IsCompletedSuccessfully ? new ValueTask<int>(0) : ZeroAfter(task.AsTask());
}
