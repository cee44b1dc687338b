namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Hex strings as Kea configurations write them: optional 0x prefix, optional ':' separators between bytes.</summary>
internal static class Hex
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        var clean = text.Trim();
        if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            clean = clean[2..];
        }

        clean = clean.Replace(":", "", StringComparison.Ordinal);
        if (clean.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(clean);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
