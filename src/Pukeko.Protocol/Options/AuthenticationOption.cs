using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>Authentication option (RFC 8415 §21.11): protocol, algorithm, RDM, 64-bit replay detection, authentication information.</summary>
public sealed class AuthenticationOption : DhcpOption
{
    public const int FixedLength = 11;

    private byte[] _information;

    public AuthenticationOption(byte protocol, byte algorithm, byte replayDetectionMethod, ulong replayDetection, byte[] information)
        : base(OptionCode.Authentication)
    {
        ArgumentNullException.ThrowIfNull(information);
        Protocol = protocol;
        Algorithm = algorithm;
        ReplayDetectionMethod = replayDetectionMethod;
        ReplayDetection = replayDetection;
        _information = information;
    }

    public byte Protocol { get; set; }

    public byte Algorithm { get; set; }

    /// <summary>RDM; 0 is the monotonically increasing counter.</summary>
    public byte ReplayDetectionMethod { get; set; }

    public ulong ReplayDetection { get; set; }

    public byte[] Information
    {
        get => _information;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _information = value;
        }
    }

    public override int DataLength => FixedLength + _information.Length;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteByte(Protocol);
        writer.WriteByte(Algorithm);
        writer.WriteByte(ReplayDetectionMethod);
        writer.WriteUInt64(ReplayDetection);
        writer.WriteBytes(_information);
    }

    public override DhcpOption Clone() =>
        new AuthenticationOption(Protocol, Algorithm, ReplayDetectionMethod, ReplayDetection, (byte[])_information.Clone());

    public override string ToString() => $"auth protocol={Protocol} algorithm={Algorithm} rdm={ReplayDetectionMethod}";
}
