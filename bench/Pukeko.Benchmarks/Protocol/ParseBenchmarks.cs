using BenchmarkDotNet.Attributes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Benchmarks.Protocol;

/// <summary>Wire format cost of one Solicit in and one Advertise out.</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private readonly List<RelayLayer> _relays = [];
    private byte[] _solicit = [];
    private byte[] _output = new byte[1500];
    private Dhcp6Message _advertise = null!;

    [GlobalSetup]
    public void Setup()
    {
        var solicit = new Dhcp6Message(MessageType.Solicit, 0x1234);
        solicit.Options.Add(new DuidOption(OptionCode.ClientId, Duid.CreateLlt(1, 700_000_000, [2, 0, 0, 0, 0, 1])));
        solicit.Options.Add(new ElapsedTimeOption(0));
        solicit.Options.Add(new IaNaOption(1, 0, 0));
        solicit.Options.Add(new OptionRequestOption([23, 24]));
        _solicit = Dhcp6Writer.ToArray(solicit);

        _advertise = new Dhcp6Message(MessageType.Advertise, 0x1234);
        _advertise.Options.Add(solicit.Options[0]);
        _advertise.Options.Add(new DuidOption(OptionCode.ServerId, Duid.CreateLlt(1, 1, [2, 0, 0, 0, 0, 2])));
        var ia = new IaNaOption(1, 1000, 2000);
        ia.Options.Add(new IaAddressOption(Ipv6Address.Parse("2001:db8::100"), 3000, 4000));
        _advertise.Options.Add(ia);
    }

    [Benchmark]
    public ParseStatus ParseSolicit() => Dhcp6Parser.TryParse(_solicit, _relays, out _);

    [Benchmark]
    public int WriteAdvertise() => Dhcp6Writer.Write(_advertise, [], _output);
}
