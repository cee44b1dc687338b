using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>Relay-supplied options (RFC 6422; digest §3.2 step 17, Kea's processRSOO).</summary>
internal static class RelaySuppliedOptionsStage
{
    /// <summary>
    /// Copies options relays offered in an RSOO (66) into the reply: only RSOO-enabled codes
    /// (<c>relay-supplied-options</c> plus 65), only when the reply does not carry that code yet,
    /// visiting relays in the order the query passed them (closest to the client first).
    /// </summary>
    public static void Append(ProcessingContext ctx)
    {
        var query = ctx.Query;
        if (!query.IsRelayed || ctx.Response is not { } response)
        {
            return;
        }

        var enabled = ctx.Runtime.Config.RelaySuppliedOptions;
        for (var level = query.Relays.Count - 1; level >= 0; level--)
        {
            foreach (var container in query.Relays[level].Options.GetAll(OptionCode.Rsoo))
            {
                var offered = new OptionCollection();
                var data = container switch
                {
                    RawOption raw => raw.Data,
                    _ => Payload(container),
                };

                // RFC 6422 §4: a malformed RSOO is ignored, not fatal to the reply.
                if (OptionDecoder.TryDecodeAll(data, offered) != ParseStatus.Ok)
                {
                    continue;
                }

                foreach (var option in offered)
                {
                    if (enabled.Contains(option.Code) && !response.Message.Options.Contains(option.Code))
                    {
                        response.Message.Options.Add(option);
                    }
                }
            }
        }
    }

    private static byte[] Payload(DhcpOption option)
    {
        var data = new byte[option.DataLength];
        option.WriteData(data);
        return data;
    }
}
