namespace Pukeko.Server.Configuration;

/// <summary>
/// A configured option ready to be put on the wire. <paramref name="Data"/> is the payload only (no code/length header).
/// The array is shared and must not be modified; record equality compares it by reference.
/// </summary>
public sealed record OptionDescriptor(ushort Code, string Space, string? Name, byte[] Data, bool AlwaysSend, bool NeverSend);
