using Pukeko.Protocol.Messages;
using Pukeko.Server.Pipeline;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// A UDP payload as the server receives it: relay levels peeled, every option decoded. The pipeline drops
/// anything that is not <see cref="ParseStatus.Ok"/>, so a status is a normal outcome; an exception would escape
/// the receive loop. A parsed packet must also write back in a form that is stable under parse and write, because
/// the server echoes client and relay options into its replies.
/// </summary>
internal static class PacketTarget
{
    public static void Run(byte[] input)
    {
        var relays = new List<RelayLayer>();
        if (Dhcp6Parser.TryParse(input, relays, out var message) != ParseStatus.Ok)
        {
            return;
        }

        if (message is null)
        {
            throw new InvariantViolationException("TryParse returned Ok without a message");
        }

        // What the trace log line computes for every accepted packet.
        _ = PipelineLog.Describe(message);

        // The first write may differ from the input: the writer puts a level's Relay Message option last, the decoder
        // drops what Kea ignores (data in an option that must be empty, bytes after a terminated Client FQDN or NTP
        // server name; a Client FQDN name keeps the full or partial form it was judged to have), and lenient decoding
        // repairs more. What the server echoes must be stable: the written packet parses again and writes the same.
        var written = Dhcp6Writer.ToArray(message, relays);
        var again = new List<RelayLayer>();
        var status = Dhcp6Parser.TryParse(written, again, out var reparsed);
        if (status != ParseStatus.Ok || reparsed is null || again.Count != relays.Count)
        {
            throw new InvariantViolationException($"written relay packet does not parse again ({status}): {Convert.ToHexString(written)}");
        }

        if (!Dhcp6Writer.ToArray(reparsed, again).AsSpan().SequenceEqual(written))
        {
            throw new InvariantViolationException($"relay packet is not stable under write/parse: {Convert.ToHexString(written)}");
        }
    }
}
