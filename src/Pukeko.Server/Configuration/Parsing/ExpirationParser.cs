using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>expired-leases-processing</c> (digest §3.9).</summary>
internal static class ExpirationParser
{
    private static readonly KeyTable<StrongBox<ExpirationConfig>> Keys = new KeyTable<StrongBox<ExpirationConfig>>("expired-leases-processing")
        .On("reclaim-timer-wait-time", Set((e, x) => e with { ReclaimTimerWaitTime = x }))
        .On("flush-reclaimed-timer-wait-time", Set((e, x) => e with { FlushReclaimedTimerWaitTime = x }))
        .On("hold-reclaimed-time", Set((e, x) => e with { HoldReclaimedTime = x }))
        .On("max-reclaim-leases", Set((e, x) => e with { MaxReclaimLeases = x }))
        .On("max-reclaim-time", Set((e, x) => e with { MaxReclaimTime = x }))
        .On("unwarned-reclaim-cycles", Set((e, x) => e with { UnwarnedReclaimCycles = x }));

    public static void Parse(StrongBox<ExpirationConfig> box, JsonElement value, string path, ParseContext context) =>
        Keys.Walk(value, path, box, context);

    private static KeyTable<StrongBox<ExpirationConfig>>.Handler Set(Func<ExpirationConfig, uint, ExpirationConfig> update) =>
        (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = update(d.Value!, x);
            }
        };
}
