namespace Pukeko.Server.Classification;

/// <summary>Kea's <c>clientSupported(classes)</c> for anything <see cref="IClassGated"/>.</summary>
internal static class ClassGate
{
    public static bool ClientSupported(this IClassGated gated, IReadOnlySet<string> classes)
    {
        ArgumentNullException.ThrowIfNull(gated);
        return Allows(gated.ClientClasses, classes);
    }

    /// <summary>An empty list allows everyone; otherwise one of the packet's classes must be listed.</summary>
    public static bool Allows(IReadOnlyList<string> allowed, IReadOnlySet<string> classes)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(classes);
        if (allowed.Count == 0)
        {
            return true;
        }

        // By index: a foreach over the interface would allocate an enumerator per check, several per packet.
        for (var i = 0; i < allowed.Count; i++)
        {
            if (classes.Contains(allowed[i]))
            {
                return true;
            }
        }

        return false;
    }
}
