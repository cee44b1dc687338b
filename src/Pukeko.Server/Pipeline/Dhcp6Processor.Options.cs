using Pukeko.Protocol.Options;
using Pukeko.Server.Options;

namespace Pukeko.Server.Pipeline;

// Configured options in replies (digest §3.5: buildCfgOptionList + appendRequestedOptions).
public sealed partial class Dhcp6Processor
{
    /// <summary>
    /// Adds every option the client asked for in its ORO plus the <c>always-send</c> ones, minus
    /// <c>never-send</c>, taking each from the most specific level that has it: pool, subnet,
    /// global. Codes are added in ascending order, as Kea does.
    /// </summary>
    private static void AppendRequestedOptions(ProcessingContext ctx)
    {
        var levels = new List<OptionLevel>(4);
        foreach (var pool in ctx.UsedPools)
        {
            var level = ctx.Runtime.OptionsOf(pool);
            if (level.Options.Count > 0 && !levels.Contains(level))
            {
                levels.Add(level);
            }
        }

        if (ctx.Subnet is { } subnet)
        {
            levels.Add(ctx.Runtime.OptionsOf(subnet));
            if (subnet.SharedNetwork is { } network)
            {
                levels.Add(ctx.Runtime.OptionsOf(network));
            }
        }

        levels.Add(ctx.Runtime.GlobalOptions);

        var requested = new SortedSet<ushort>();
        if (ctx.Query.Message.Options.Get<OptionRequestOption>(OptionCode.OptionRequest) is { } oro)
        {
            foreach (var code in oro.Codes)
            {
                requested.Add(code);
            }
        }

        HashSet<ushort>? cancelled = null;
        foreach (var level in levels)
        {
            foreach (var option in level.Options)
            {
                if (option.AlwaysSend)
                {
                    requested.Add(option.Code);
                }

                if (option.NeverSend)
                {
                    (cancelled ??= []).Add(option.Code);
                }
            }
        }

        var response = ctx.Response!.Message.Options;
        foreach (var code in requested)
        {
            if (cancelled?.Contains(code) == true || response.Contains(code))
            {
                continue;
            }

            foreach (var level in levels)
            {
                if (level.Find(code) is { } found)
                {
                    response.Add(found.Option);
                    break;
                }
            }
        }
    }
}
