using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Pipeline;

/// <summary>An encoded reply and where it goes.</summary>
internal readonly record struct OutgoingDatagram(byte[] Buffer, int Length, Ipv6Address Destination, ushort Port, int InterfaceIndex);
