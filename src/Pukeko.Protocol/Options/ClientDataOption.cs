namespace Pukeko.Protocol.Options;

/// <summary>
/// OPTION_CLIENT_DATA (45, RFC 5007 §4.1.2.3): one client's bindings in a leasequery answer — its Client
/// Identifier, IA Address and IA Prefix options, OPTION_CLT_TIME and, in bulk answers, its relay data.
/// </summary>
public sealed class ClientDataOption : DhcpOption
{
    public ClientDataOption()
        : base(OptionCode.ClientData)
    {
    }

    /// <summary>The client-options.</summary>
    public OptionCollection Options { get; } = new();

    public override int DataLength => Options.DataLength;

    public override void WriteData(Span<byte> destination) => Options.WriteTo(destination);

    public override DhcpOption Clone()
    {
        var copy = new ClientDataOption();
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"client-data ({Options.Count} options)";
}
