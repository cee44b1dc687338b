using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Classification;

/// <summary>Kea's <c>clientSupported(classes)</c> for anything <see cref="IClassGated"/>.</summary>
public static class ClassGate
{
    public static bool ClientSupported(this IClassGated gated, ClientClassSet classes)
    {
        ArgumentNullException.ThrowIfNull(gated);
        ArgumentNullException.ThrowIfNull(classes);
        var allowed = gated.ClientClasses;
        if (allowed.Count == 0)
        {
            return true;
        }

        foreach (var name in allowed)
        {
            if (classes.Contains(name))
            {
                return true;
            }
        }

        return false;
    }
}
