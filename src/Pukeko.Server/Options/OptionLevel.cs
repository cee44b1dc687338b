using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Options;

/// <summary>The options configured at one level (global, subnet, pool), ready to append to replies.</summary>
public sealed class OptionLevel
{
    public static OptionLevel Empty { get; } = new([]);

    public OptionLevel(IReadOnlyList<ConfiguredOption> options)
    {
        Options = options;
    }

    public IReadOnlyList<ConfiguredOption> Options { get; }

    public static OptionLevel From(IReadOnlyList<OptionDescriptor> descriptors)
    {
        if (descriptors.Count == 0)
        {
            return Empty;
        }

        var options = new ConfiguredOption[descriptors.Count];
        for (var i = 0; i < descriptors.Count; i++)
        {
            var d = descriptors[i];
            options[i] = new ConfiguredOption(new RawOption(d.Code, d.Data), d.AlwaysSend, d.NeverSend);
        }

        return new OptionLevel(options);
    }

    /// <summary>First option with that code at this level, or null.</summary>
    public ConfiguredOption? Find(ushort code)
    {
        foreach (var option in Options)
        {
            if (option.Code == code)
            {
                return option;
            }
        }

        return null;
    }
}
