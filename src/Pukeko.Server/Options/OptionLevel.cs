using System.Buffers.Binary;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Options;

/// <summary>
/// The options configured at one level (global, shared network, subnet, pool, class, reservation), ready to append
/// to replies. Options of the dhcp6 space are top-level; an option whose definition encapsulates a space carries
/// that level's options of the space as sub-options (Kea encapsulates within one level); options of a
/// <c>vendor-N</c> space are kept per enterprise number for the Vendor-specific Information option (17).
/// </summary>
internal sealed class OptionLevel
{
    private const int MaxEncapsulationDepth = 4;

    public static OptionLevel Empty { get; } = new([], new Dictionary<uint, IReadOnlyList<ConfiguredOption>>());

    public OptionLevel(IReadOnlyList<ConfiguredOption> options, IReadOnlyDictionary<uint, IReadOnlyList<ConfiguredOption>>? vendorOptions = null)
    {
        Options = options;
        VendorOptions = vendorOptions ?? Empty.VendorOptions;
    }

    /// <summary>Top-level (dhcp6 space) options, in configuration order.</summary>
    public IReadOnlyList<ConfiguredOption> Options { get; }

    /// <summary>Sub-options of option 17 by enterprise number (options of space <c>vendor-N</c>).</summary>
    public IReadOnlyDictionary<uint, IReadOnlyList<ConfiguredOption>> VendorOptions { get; }

    public bool IsEmpty => Options.Count == 0 && VendorOptions.Count == 0;

    public static OptionLevel From(IReadOnlyList<OptionDescriptor> descriptors) => From(descriptors, OptionDefinitionSet.StandardOnly);

    public static OptionLevel From(IReadOnlyList<OptionDescriptor> descriptors, OptionDefinitionSet definitions)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        ArgumentNullException.ThrowIfNull(definitions);
        if (descriptors.Count == 0)
        {
            return Empty;
        }

        var options = new List<ConfiguredOption>();
        var vendors = new Dictionary<uint, List<ConfiguredOption>>();
        foreach (var d in descriptors)
        {
            if (d.Space == StandardOptionDefinitions.Dhcp6Space)
            {
                var data = Encapsulate(d, descriptors, definitions, 0);
                options.Add(new ConfiguredOption(Typed(d.Code, data), d.AlwaysSend, d.NeverSend, d.ClientClasses));
            }
            else if (OptionDefinitionSet.VendorOf(d.Space) is { } enterprise)
            {
                if (!vendors.TryGetValue(enterprise, out var list))
                {
                    vendors[enterprise] = list = [];
                }

                var data = Encapsulate(d, descriptors, definitions, 0);
                list.Add(new ConfiguredOption(new RawOption(d.Code, data), d.AlwaysSend, d.NeverSend, d.ClientClasses));
            }

            // Options of other spaces only exist as sub-options of an option that encapsulates their space.
        }

        return new OptionLevel(options, vendors.ToDictionary(p => p.Key, p => (IReadOnlyList<ConfiguredOption>)p.Value));
    }

    /// <summary>
    /// The option as the packet parser would type it (so a callout finds a configured DNS-servers option
    /// as an <see cref="AddressListOption"/>, exactly as one that came in a packet), when that type
    /// writes the configured bytes back unchanged; otherwise the bytes as they are.
    /// </summary>
    internal static DhcpOption Typed(ushort code, byte[] data)
    {
        if (OptionDecoder.TryDecode(code, data, out var typed) != ParseStatus.Ok || typed is null or RawOption || typed.DataLength != data.Length)
        {
            return new RawOption(code, data);
        }

        var written = new byte[data.Length];
        typed.WriteData(written);
        return written.AsSpan().SequenceEqual(data) ? typed : new RawOption(code, data);
    }

    /// <summary>First option with that code at this level that the packet's classes allow, or null.</summary>
    public ConfiguredOption? Find(ushort code, ClientClassSet? classes = null)
    {
        foreach (var option in Options)
        {
            if (option.Code == code && (classes is null || option.AppliesTo(classes)))
            {
                return option;
            }
        }

        return null;
    }

    /// <summary>First vendor sub-option with that code for the enterprise, or null.</summary>
    public ConfiguredOption? FindVendor(uint enterprise, ushort code, ClientClassSet? classes = null)
    {
        if (!VendorOptions.TryGetValue(enterprise, out var options))
        {
            return null;
        }

        foreach (var option in options)
        {
            if (option.Code == code && (classes is null || option.AppliesTo(classes)))
            {
                return option;
            }
        }

        return null;
    }

    /// <summary>The option's own data followed by the same level's options of the space its definition encapsulates.</summary>
    private static byte[] Encapsulate(OptionDescriptor option, IReadOnlyList<OptionDescriptor> level, OptionDefinitionSet definitions, int depth)
    {
        if (depth >= MaxEncapsulationDepth
            || !definitions.TryGetByCode(option.Space, option.Code, out var definition)
            || definition.Encapsulates is not { } space)
        {
            return option.Data;
        }

        var data = new List<byte>(option.Data);
        foreach (var sub in level)
        {
            if (sub.Space != space)
            {
                continue;
            }

            var payload = Encapsulate(sub, level, definitions, depth + 1);
            var header = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(header, sub.Code);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)Math.Min(payload.Length, ushort.MaxValue));
            data.AddRange(header);
            data.AddRange(payload);
        }

        return [.. data];
    }
}
