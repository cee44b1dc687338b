namespace Pukeko.Server.Control;

/// <summary>Where a byte-level JSON scanner is: outside tokens, in a string, or in a comment.</summary>
internal enum JsonScanState
{
    Normal,
    String,
    LineComment,
    BlockComment,
}
