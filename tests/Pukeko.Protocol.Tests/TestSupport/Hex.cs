namespace Pukeko.Protocol.Tests.TestSupport;

/// <summary>Builds byte arrays from hex pieces so packet tests can comment each field.</summary>
internal static class Hex
{
    public static byte[] Bytes(params string[] pieces)
    {
        var text = string.Concat(pieces).Replace(" ", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal);
        return Convert.FromHexString(text);
    }

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
