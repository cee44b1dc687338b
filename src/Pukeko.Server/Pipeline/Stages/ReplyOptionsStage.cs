using System.Buffers.Binary;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Options;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Configured options in replies (digest §3.5: buildCfgOptionList + appendRequestedOptions +
/// appendRequestedVendorOptions), after the additional classes are evaluated and the Client FQDN
/// answer is complete.
/// </summary>
internal sealed class ReplyOptionsStage(PipelineServices services, ClientFqdnStage fqdn)
{
    // The precedence list of the packet this thread is answering: used from its collection to the reply's last
    // option with no await between, so one list per thread serves every packet instead of one per packet.
    [ThreadStatic]
    private static List<OptionLevel>? t_levels;

    // Likewise the option codes to answer (ORO and always-send), sorted once collected.
    [ThreadStatic]
    private static List<ushort>? t_requested;

    /// <summary>
    /// Kea's precedence list (buildCfgOptionList): host reservation, pools that provided leases, subnet, shared
    /// network, each client class in packet order, global. The first level with an option wins. Filled into
    /// <paramref name="levels"/> (cleared first).
    /// </summary>
    internal static List<OptionLevel> CollectOptionLevels(ProcessingContext ctx, List<OptionLevel>? levels = null)
    {
        var runtime = ctx.Runtime;
        levels ??= new List<OptionLevel>(6);
        levels.Clear();
        AddLevel(levels, ctx.ReservationOptions);
        foreach (var pool in ctx.UsedPools)
        {
            AddLevel(levels, runtime.OptionsOf(pool));
        }

        if (ctx.Subnet is { } subnet)
        {
            AddLevel(levels, runtime.OptionsOf(subnet));
            if (subnet.SharedNetwork is { } network)
            {
                AddLevel(levels, runtime.OptionsOf(network));
            }
        }

        var classes = ctx.Query.Classes;
        for (var i = 0; i < classes.Count; i++)
        {
            AddLevel(levels, runtime.OptionsOfClass(classes[i]));
        }

        AddLevel(levels, runtime.GlobalOptions);
        return levels;
    }

    /// <summary>
    /// Adds every option the client asked for in its ORO plus the <c>always-send</c> ones, minus
    /// <c>never-send</c>, each from the first level of the precedence list that has it for the packet's classes.
    /// Codes are added in ascending order, as Kea does. Then the vendor options.
    /// </summary>
    public async ValueTask AppendAsync(ProcessingContext ctx)
    {
        EvaluateAdditionalClasses(ctx);
        await fqdn.FinishAsync(ctx).ConfigureAwait(false);

        // No await from here to the end: the thread's list cannot be taken by another packet meanwhile.
        var levels = CollectOptionLevels(ctx, t_levels ??= new List<OptionLevel>(6));
        var classes = ctx.Query.Classes;

        var requested = t_requested ??= new List<ushort>(16);
        requested.Clear();
        if (ctx.Query.Message.Options.Get<OptionRequestOption>(OptionCode.OptionRequest) is { } oro)
        {
            requested.AddRange(oro.Codes);
        }

        HashSet<ushort>? cancelled = null;
        foreach (var level in levels)
        {
            // By index: a foreach over the interface would allocate an enumerator per level and packet.
            var configured = level.Options;
            for (var i = 0; i < configured.Count; i++)
            {
                var option = configured[i];
                if (!option.AppliesTo(classes))
                {
                    continue;
                }

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

        // Ascending code order, each code once, as Kea adds them.
        requested.Sort();
        var response = ctx.Response!.Message.Options;
        for (var r = 0; r < requested.Count; r++)
        {
            var code = requested[r];

            // Vendor options are assembled per enterprise below.
            if ((r > 0 && requested[r - 1] == code) || code == OptionCode.VendorOpts || cancelled?.Contains(code) == true || response.Contains(code))
            {
                continue;
            }

            foreach (var level in levels)
            {
                if (level.Find(code, classes) is { } found)
                {
                    AddConfiguredOption(response, found.Option);
                    break;
                }
            }
        }

        AppendVendorOptions(ctx, levels, requested.BinarySearch(OptionCode.VendorOpts) >= 0);
    }

    /// <summary>
    /// RFC 5908 §4: each NTP server sub-option in its own NTP Server option; Kea splits a configured option with
    /// several sub-options the same way when packing (LibDHCP::splitNtpServerOptions6).
    /// </summary>
    private static void AddConfiguredOption(OptionCollection response, DhcpOption option)
    {
        if (option is NtpServerOption { Options.Count: > 1 } ntp)
        {
            foreach (var sub in ntp.Options)
            {
                var single = new NtpServerOption();
                single.Options.Add(sub.Clone());
                response.Add(single);
            }

            return;
        }

        if (option.Code != OptionCode.NtpServer || option is not RawOption raw || !TrySplitSubOptions(raw.Data, out var parts) || parts.Count <= 1)
        {
            response.Add(option);
            return;
        }

        foreach (var part in parts)
        {
            response.Add(new RawOption(OptionCode.NtpServer, part));
        }
    }

    private static bool TrySplitSubOptions(byte[] data, out List<byte[]> parts)
    {
        parts = [];
        var offset = 0;
        while (offset < data.Length)
        {
            if (offset + 4 > data.Length)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (offset + 4 + length > data.Length)
            {
                return false;
            }

            parts.Add(data[offset..(offset + 4 + length)]);
            offset += 4 + length;
        }

        return true;
    }

    /// <summary>
    /// Vendor-specific Information (17), one per enterprise the client named in Vendor Class (16) or Vendor Opts
    /// (17), in ascending enterprise order: the sub-options the client asked for (CableLabs only: sub-option 1 is an
    /// ORO) plus <c>always-send</c> ones, minus <c>never-send</c>, each from the first level that has it.
    /// </summary>
    private static void AppendVendorOptions(ProcessingContext ctx, List<OptionLevel> levels, bool requestedInOro)
    {
        var query = ctx.Query.Message.Options;
        // Made at the first vendor option: most clients send none, and an empty set still costs its enumeration.
        SortedSet<uint>? enterprises = null;
        foreach (var option in query)
        {
            switch (option)
            {
                case VendorOptsOption vendor:
                    (enterprises ??= []).Add(vendor.EnterpriseNumber);
                    break;
                case VendorClassOption vendorClass:
                    (enterprises ??= []).Add(vendorClass.EnterpriseNumber);
                    break;
            }
        }

        if (enterprises is null)
        {
            return;
        }

        var response = ctx.Response!.Message.Options;
        var classes = ctx.Query.Classes;
        foreach (var enterprise in enterprises)
        {
            var codes = new SortedSet<ushort>();
            HashSet<ushort>? cancelled = null;
            if (enterprise == StandardOptionDefinitions.CableLabsEnterprise)
            {
                foreach (var vendor in query.GetAll(OptionCode.VendorOpts))
                {
                    if (vendor is VendorOptsOption { EnterpriseNumber: StandardOptionDefinitions.CableLabsEnterprise } cableLabs
                        && cableLabs.Options.Get(1) is { } vendorOro)
                    {
                        var data = vendorOro.GetData();
                        for (var i = 0; i + 1 < data.Length; i += 2)
                        {
                            codes.Add(BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i)));
                        }
                    }
                }
            }

            foreach (var level in levels)
            {
                if (!level.VendorOptions.TryGetValue(enterprise, out var options))
                {
                    continue;
                }

                foreach (var option in options)
                {
                    if (!option.AppliesTo(classes))
                    {
                        continue;
                    }

                    // A vendor option the client asked for with a plain ORO entry 17 gets all configured sub-options.
                    if (option.AlwaysSend || requestedInOro)
                    {
                        codes.Add(option.Code);
                    }

                    if (option.NeverSend)
                    {
                        (cancelled ??= []).Add(option.Code);
                    }
                }
            }

            var reply = new VendorOptsOption(enterprise);
            foreach (var code in codes)
            {
                if (cancelled?.Contains(code) == true)
                {
                    continue;
                }

                foreach (var level in levels)
                {
                    if (level.FindVendor(enterprise, code, classes) is { } found)
                    {
                        reply.Options.Add(found.Option);
                        break;
                    }
                }
            }

            if (reply.Options.Count > 0)
            {
                response.Add(reply);
            }
        }
    }

    /// <summary>
    /// <c>evaluate-additional-classes</c>: pools that provided leases first, then the subnet (Kea builds the list in
    /// option precedence order), evaluated once the resources are known and before options are chosen.
    /// </summary>
    private void EvaluateAdditionalClasses(ProcessingContext ctx)
    {
        // Made at the first name: most configurations have no additional classes, and this is per packet.
        List<string>? names = null;
        foreach (var pool in ctx.UsedPools)
        {
            if (pool is Configuration.AddressPool addressPool)
            {
                AddNames(ref names, addressPool.AdditionalClasses);
            }
            else if (pool is Configuration.PrefixPool prefixPool)
            {
                AddNames(ref names, prefixPool.AdditionalClasses);
            }
        }

        if (ctx.Subnet is { } subnet)
        {
            AddNames(ref names, subnet.AdditionalClasses);
            if (subnet.SharedNetwork is { } network)
            {
                AddNames(ref names, network.AdditionalClasses);
            }
        }

        if (names is not null)
        {
            ctx.Runtime.Classifier.EvaluateAdditional(ctx.Query, names, services.Log);
        }
    }

    private static void AddNames(ref List<string>? names, IReadOnlyList<string> more)
    {
        if (more.Count > 0)
        {
            (names ??= []).AddRange(more);
        }
    }

    private static void AddLevel(List<OptionLevel> levels, OptionLevel? level)
    {
        if (level is { IsEmpty: false } && !levels.Contains(level))
        {
            levels.Add(level);
        }
    }
}
