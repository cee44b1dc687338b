using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Status Code option (RFC 8415 §21.13): a 2-byte code and a UTF-8 message.</summary>
public sealed class StatusCodeOption : DhcpOption
{
    public const int FixedLength = 2;

    private string _message;

    public StatusCodeOption(StatusCode status, string message)
        : base(OptionCode.StatusCode)
    {
        ArgumentNullException.ThrowIfNull(message);
        Status = status;
        _message = message;
    }

    /// <summary>May hold values outside the named ones (future codes are still carried).</summary>
    public StatusCode Status { get; set; }

    public string Message
    {
        get => _message;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _message = value;
        }
    }

    public override int DataLength => FixedLength + System.Text.Encoding.UTF8.GetByteCount(_message);

    public override void WriteData(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Status);
        System.Text.Encoding.UTF8.GetBytes(_message, destination[FixedLength..]);
    }

    public override DhcpOption Clone() => new StatusCodeOption(Status, _message);

    public override string ToString() => $"status-code {Status} \"{_message}\"";
}
