using System.Buffers.Binary;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Shared encoding of the length-prefixed opaque entries used by User Class and Vendor Class
/// (RFC 8415 §21.15, §21.16): each entry is a 2-byte length followed by that many bytes.
/// </summary>
internal static class OpaqueDataList
{
    public static int GetLength(List<byte[]> entries)
    {
        var length = 0;
        foreach (var entry in entries)
        {
            length += 2 + entry.Length;
        }

        return length;
    }

    public static void Write(List<byte[]> entries, Span<byte> destination)
    {
        var position = 0;
        foreach (var entry in entries)
        {
            if (entry.Length > ushort.MaxValue)
            {
                throw new InvalidOperationException("opaque data entry longer than 65535 bytes");
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[position..], (ushort)entry.Length);
            entry.CopyTo(destination[(position + 2)..]);
            position += 2 + entry.Length;
        }
    }

    /// <summary>
    /// Reads entries until the data ends; false if an entry overruns it. <paramref name="lenient"/> (Kea's
    /// <c>lenient-option-parsing</c>) takes an overrunning entry as the rest of the data instead; a length field
    /// that is itself cut short is still an error, as in Kea.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, List<byte[]> entries, bool lenient = false)
    {
        var reader = new WireReader(data);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadUInt16(out var length))
            {
                return false;
            }

            if (!reader.TryReadBytes(length, out var entry))
            {
                if (!lenient)
                {
                    return false;
                }

                entry = reader.ReadRemaining();
            }

            entries.Add(entry.ToArray());
        }

        return true;
    }

    public static List<byte[]> DeepCopy(List<byte[]> entries)
    {
        var copy = new List<byte[]>(entries.Count);
        foreach (var entry in entries)
        {
            copy.Add((byte[])entry.Clone());
        }

        return copy;
    }
}
