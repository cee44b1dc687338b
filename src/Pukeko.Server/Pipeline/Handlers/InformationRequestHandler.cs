using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>Information-Request (RFC 8415 §18.3.6): configuration only; the reply options stage fills it.</summary>
internal sealed class InformationRequestHandler : IMessageHandler
{
    public ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
        ReplyBuilder.CreateResponse(ctx, MessageType.Reply);
        return new ValueTask<bool>(true);
    }
}
