using Pukeko.Protocol.Options;

namespace Pukeko.Server.Options;

/// <summary>
/// An option from <c>option-data</c>, built once per configuration. The same instance goes into
/// every reply that asks for it, which is why hooks must get copies (copy-on-retrieve).
/// <paramref name="ClientClasses"/>: when set, only packets in one of these classes get it.
/// </summary>
internal sealed record ConfiguredOption(DhcpOption Option, bool AlwaysSend, bool NeverSend, IReadOnlyList<string>? ClientClasses = null)
{
    public ushort Code => Option.Code;

    /// <summary>The option-data <c>client-classes</c> filter (Kea: the option is skipped for other packets).</summary>
    public bool AppliesTo(Protocol.Messages.ClientClassSet classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (ClientClasses is null)
        {
            return true;
        }

        for (var i = 0; i < ClientClasses.Count; i++)
        {
            if (classes.Contains(ClientClasses[i]))
            {
                return true;
            }
        }

        return false;
    }
}
