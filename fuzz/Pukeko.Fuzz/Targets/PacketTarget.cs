using Pukeko.Protocol.Messages;
using Pukeko.Server.Pipeline;

namespace Pukeko.Fuzz.Targets;

/// <summary>
/// A UDP payload as the server receives it: relay levels peeled, every option decoded. The pipeline drops
/// anything that is not <see cref="ParseStatus.Ok"/>, so a status is a normal outcome; an exception would escape
/// the receive loop. A parsed packet must also write back as the decoder promises, because the server echoes
/// client and relay options into its replies.
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

        var written = Dhcp6Writer.ToArray(message, relays);
        if (relays.Count == 0)
        {
            // OptionDecoder's contract: every typed option round-trips byte-exact or the packet is rejected.
            if (!written.AsSpan().SequenceEqual(input))
            {
                throw new InvariantViolationException($"message does not write back byte for byte: in {Convert.ToHexString(input)}, out {Convert.ToHexString(written)}");
            }

            return;
        }

        // The writer puts a level's Relay Message option last, so only the second round must be exact.
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
