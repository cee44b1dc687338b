using System.Buffers.Binary;

namespace Pukeko.RapidCommitClient;

/// <summary>What an answer from the server was, as far as the load run counts it.</summary>
internal enum AnswerKind
{
    /// <summary>A Reply with Rapid Commit and a leased address: the 2-way exchange completed.</summary>
    Completed,
    /// <summary>An Advertise: the server answered with the 4-way exchange's first step instead of committing.</summary>
    Advertise,
    /// <summary>A Reply without Rapid Commit or without an address with a valid lifetime (e.g. NoAddrsAvail).</summary>
    ReplyWithoutLease,
    /// <summary>Any other message type.</summary>
    OtherType,
    /// <summary>Options that run past the end of the packet, or a packet shorter than the header.</summary>
    Malformed,
}

/// <summary>
/// The little of RFC 8415 the client needs: one Solicit layout whose per-client bytes are patched in place, and a
/// read of the server's answer that allocates nothing.
/// </summary>
internal static class Dhcp6
{
    private const byte MsgSolicit = 1, MsgAdvertise = 2, MsgReply = 7;
    private const ushort OptClientId = 1, OptIaNa = 3, OptIaAddr = 5, OptElapsedTime = 8, OptRapidCommit = 14;

    // Solicit layout (48 bytes): header 0-3; Client Identifier 4-21 holding a DUID-LLT (type 1, hardware type 1,
    // time 12-15, link-layer address 16-21); IA_NA 22-37 (IAID 26-29, T1 and T2 zero: the server chooses); Elapsed
    // Time 38-43 (zero: a first Solicit); Rapid Commit 44-47, empty.
    public const int SolicitLength = 48;
    private const int DuidOffset = 8, DuidLength = 14, ClientBytesOffset = 18;

    /// <summary>
    /// Writes the parts every client of this run shares. The DUID's link-layer address is 02 (locally administered)
    /// + <paramref name="runByte"/> + the client's number (patched per Solicit), its time <paramref name="duidTime"/>:
    /// together unique per client and, with a random run byte and the time, across runs.
    /// </summary>
    public static void WriteTemplate(Span<byte> packet, uint duidTime, byte runByte)
    {
        packet[..SolicitLength].Clear();
        packet[0] = MsgSolicit;
        var p = 4;
        p = OptionHeader(packet, p, OptClientId, DuidLength);
        BinaryPrimitives.WriteUInt16BigEndian(packet[p..], 1);       // DUID-LLT
        BinaryPrimitives.WriteUInt16BigEndian(packet[(p + 2)..], 1); // Ethernet
        BinaryPrimitives.WriteUInt32BigEndian(packet[(p + 4)..], duidTime);
        packet[p + 8] = 0x02;
        packet[p + 9] = runByte;
        p += DuidLength;
        p = OptionHeader(packet, p, OptIaNa, 12);
        BinaryPrimitives.WriteUInt32BigEndian(packet[p..], 1);       // IAID: each client has its own DUID, one IA
        p += 12;
        p = OptionHeader(packet, p, OptElapsedTime, 2) + 2;
        p = OptionHeader(packet, p, OptRapidCommit, 0);
        System.Diagnostics.Debug.Assert(p == SolicitLength);
    }

    /// <summary>Makes the template client number <paramref name="client"/>: its transaction id and its DUID.</summary>
    public static void SetClient(Span<byte> packet, uint transactionId, uint client)
    {
        packet[1] = (byte)(transactionId >> 16);
        packet[2] = (byte)(transactionId >> 8);
        packet[3] = (byte)transactionId;
        BinaryPrimitives.WriteUInt32BigEndian(packet[ClientBytesOffset..], client);
    }

    /// <summary>The 24-bit transaction id of a packet of at least 4 bytes.</summary>
    public static uint TransactionId(ReadOnlySpan<byte> packet) => (uint)(packet[1] << 16 | packet[2] << 8 | packet[3]);

    /// <summary>
    /// Reads an answer. <paramref name="clientId"/> is the Client Identifier option's body (empty when absent), a
    /// slice of <paramref name="packet"/>, so the caller can check it names the client the transaction id belongs to.
    /// </summary>
    public static AnswerKind Classify(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> clientId)
    {
        clientId = default;
        if (packet.Length < 4) return AnswerKind.Malformed;
        bool rapidCommit = false, leased = false;
        var at = 4;
        while (at < packet.Length)
        {
            if (!NextOption(packet, ref at, out var code, out var bodyAt, out var bodyLength)) return AnswerKind.Malformed;
            var body = packet.Slice(bodyAt, bodyLength);
            switch (code)
            {
                case OptClientId: clientId = body; break;
                case OptRapidCommit: rapidCommit = true; break;
                case OptIaNa:
                    if (body.Length < 12) return AnswerKind.Malformed;
                    var innerAt = 12;   // after IAID, T1, T2
                    while (innerAt < body.Length)
                    {
                        if (!NextOption(body, ref innerAt, out var innerCode, out var innerBodyAt, out var innerLength)) return AnswerKind.Malformed;
                        var innerBody = body.Slice(innerBodyAt, innerLength);
                        // IA Address: address (16), preferred lifetime (4), valid lifetime (4), options
                        if (innerCode == OptIaAddr && innerBody.Length >= 24 && BinaryPrimitives.ReadUInt32BigEndian(innerBody[20..]) != 0)
                            leased = true;
                    }
                    break;
            }
        }
        return packet[0] switch
        {
            MsgReply when rapidCommit && leased => AnswerKind.Completed,
            MsgReply => AnswerKind.ReplyWithoutLease,
            MsgAdvertise => AnswerKind.Advertise,
            _ => AnswerKind.OtherType,
        };
    }

    /// <summary>Whether <paramref name="clientId"/> is the DUID this run gave client number <paramref name="client"/>.</summary>
    public static bool IsClient(ReadOnlySpan<byte> template, ReadOnlySpan<byte> clientId, uint client) =>
        clientId.Length == DuidLength
        && clientId[..(ClientBytesOffset - DuidOffset)].SequenceEqual(template.Slice(DuidOffset, ClientBytesOffset - DuidOffset))
        && BinaryPrimitives.ReadUInt32BigEndian(clientId[(ClientBytesOffset - DuidOffset)..]) == client;

    private static int OptionHeader(Span<byte> packet, int at, ushort code, ushort length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet[at..], code);
        BinaryPrimitives.WriteUInt16BigEndian(packet[(at + 2)..], length);
        return at + 4;
    }

    /// <summary>The option at <paramref name="at"/> of <paramref name="data"/>: its code and where its body is; moves
    /// <paramref name="at"/> past it. False when the header or the body runs past the end.</summary>
    private static bool NextOption(ReadOnlySpan<byte> data, ref int at, out ushort code, out int bodyAt, out int length)
    {
        code = 0;
        bodyAt = at + 4;
        length = 0;
        if (data.Length - at < 4) return false;
        code = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        if (data.Length - bodyAt < length) return false;
        at = bodyAt + length;
        return true;
    }
}
