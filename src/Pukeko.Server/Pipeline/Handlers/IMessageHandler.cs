namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>
/// Builds the reply to one family of client messages into <see cref="ProcessingContext.Response"/>,
/// changing leases through the allocation engine. Runs while the pipeline holds the client's claim.
/// </summary>
internal interface IMessageHandler
{
    /// <summary>True when there is a reply; false when the message is discarded (nothing is sent).</summary>
    ValueTask<bool> HandleAsync(ProcessingContext ctx);
}
