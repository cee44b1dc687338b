using System.Diagnostics;
using System.Globalization;
using Pukeko.RapidCommitClient;

var options = Options.Parse(args, out var error);
if (options is null)
{
    if (error.Length == 0) { Console.Out.Write(Options.Help); return 0; }
    Console.Error.WriteLine($"pukeko-rapid-client: {error} (--help for usage)");
    return 2;
}
using var run = LoadRun.Open(options, out error);
if (run is null)
{
    Console.Error.WriteLine($"pukeko-rapid-client: {error}");
    return 1;
}
var rcvbufErrorsBefore = Udp6RcvbufErrors();
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var collectionsBefore = GC.CollectionCount(0);
var r = run.Run();
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
var collections = GC.CollectionCount(0) - collectionsBefore;
var rcvbufErrors = Udp6RcvbufErrors() - rcvbufErrorsBefore;

// perfdhcp's layout ("***Statistics for: NAME***", then "label: value" lines), so the bench script's reader of
// perfdhcp reports reads this one too.
var ms = (long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("F3", CultureInfo.InvariantCulture) + " ms";
var sendSeconds = (double)(r.LastSendTicks - r.FirstSendTicks) / Stopwatch.Frequency;
var o = Console.Out;
o.WriteLine($"Running: pukeko-rapid-client {string.Join(' ', args)}");
o.WriteLine("***Rate statistics***");
o.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Rate: {r.Completed / Math.Max(sendSeconds, options.PeriodSeconds):F3} 2-way exchanges/second, expected rate: {options.Rate}"));
// Solicits/s actually sent, first to last: at a rate above what the client can do, its own ceiling.
o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"send rate: {(sendSeconds > 0 ? (r.Sent - 1) / sendSeconds : 0):F0} Solicits/second"));
// The client's own footprint in the run (buffers are reused: only idle receive time-outs allocate), to show it
// is not what limits the measurement.
o.WriteLine($"client allocations during the run: {allocated / 1024} KB, gen0 collections: {collections}");
o.WriteLine();
o.WriteLine("***Malformed Packets***");
o.WriteLine($"Malformed packets: {r.Malformed}");
o.WriteLine("***Statistics for: SOLICIT-REPLY***");
o.WriteLine($"sent packets: {r.Sent}");
o.WriteLine($"received packets: {r.Completed}");
o.WriteLine($"drops: {r.Drops}");
o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drops ratio: {(r.Sent > 0 ? 100.0 * r.Drops / r.Sent : 0):F3} %"));
o.WriteLine($"not completed: {r.Sent - r.Completed}");
o.WriteLine($"advertises: {r.Advertises}");
o.WriteLine($"replies without lease: {r.RepliesWithoutLease}");
o.WriteLine($"other messages: {r.OtherTypes}");
o.WriteLine($"unmatched packets: {r.Unmatched}");
o.WriteLine($"duplicate answers: {r.Duplicates}");
o.WriteLine($"malformed packets: {r.Malformed}");
// Replies the kernel dropped because a UDP socket's receive buffer was full, in this network namespace during the
// run: non-zero means the client, not the server, lost answers (-1: /proc/net/snmp6 unreadable).
o.WriteLine($"client UDP receive buffer errors: {(rcvbufErrorsBefore < 0 ? -1 : rcvbufErrors)}");
o.WriteLine($"not sent: {options.Solicits - r.Scheduled}");
o.WriteLine($"send errors: {r.SendErrors}");
o.WriteLine($"behind schedule at end: {ms(r.BehindAtEndTicks)}");
o.WriteLine($"max behind schedule: {ms(r.MaxBehindTicks)}");
o.WriteLine();
o.WriteLine($"min delay: {ms(r.Completed > 0 ? r.DelayMinTicks : 0)}");
o.WriteLine($"avg delay: {ms(r.Completed > 0 ? r.DelaySumTicks / r.Completed : 0)}");
o.WriteLine($"max delay: {ms(r.DelayMaxTicks)}");
return 0;

// The namespace's count of UDP datagrams dropped for a full receive buffer (Linux /proc/net/snmp6), or -1.
static long Udp6RcvbufErrors()
{
    try
    {
        const string Name = "Udp6RcvbufErrors";
        foreach (var line in File.ReadLines("/proc/net/snmp6"))
        {
            if (line.StartsWith(Name, StringComparison.Ordinal))
                return long.Parse(line.AsSpan(Name.Length).Trim(), CultureInfo.InvariantCulture);
        }
    }
    catch (IOException) { }
    return -1;
}
