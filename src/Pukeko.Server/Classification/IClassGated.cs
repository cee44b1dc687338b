using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Classification;

/// <summary>
/// A configuration object restricted to client classes (<c>client-classes</c> on subnets, shared networks,
/// pools and pd-pools): a packet may use it when the list is empty or the packet is in any listed class.
/// </summary>
internal interface IClassGated
{
    IReadOnlyList<string> ClientClasses { get; }
}
