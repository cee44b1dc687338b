using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Messages;

/// <summary>A client/server message (RFC 8415 §8): type, 24-bit transaction id, options.</summary>
public sealed class Dhcp6Message
{
    public const uint MaxTransactionId = 0xFFFFFF;

    /// <summary>Length of the fixed header: msg-type and transaction-id.</summary>
    public const int HeaderLength = 4;

    private uint _transactionId;

    public Dhcp6Message(MessageType type, uint transactionId)
    {
        Type = type;
        TransactionId = transactionId;
    }

    public MessageType Type { get; set; }

    /// <summary>The 24-bit transaction id; values above 0xFFFFFF are rejected.</summary>
    public uint TransactionId
    {
        get => _transactionId;
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxTransactionId);
            _transactionId = value;
        }
    }

    public OptionCollection Options { get; } = new();

    /// <summary>Header plus all options.</summary>
    public int Length => HeaderLength + Options.DataLength;

    /// <summary>Deep copy including all options.</summary>
    public Dhcp6Message Clone()
    {
        var copy = new Dhcp6Message(Type, _transactionId);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"{Type} xid=0x{_transactionId:x6} options={Options.Count}";
}
