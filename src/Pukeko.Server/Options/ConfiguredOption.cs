using Pukeko.Protocol.Options;

namespace Pukeko.Server.Options;

/// <summary>
/// An option from <c>option-data</c>, built once per configuration. The same instance goes into
/// every reply that asks for it, which is why hooks must get copies (copy-on-retrieve).
/// </summary>
public sealed record ConfiguredOption(DhcpOption Option, bool AlwaysSend, bool NeverSend)
{
    public ushort Code => Option.Code;
}
