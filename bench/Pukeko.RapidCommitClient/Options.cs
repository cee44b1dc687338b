using System.Globalization;

namespace Pukeko.RapidCommitClient;

/// <summary>The command line: perfdhcp's letters where the meaning is the same, so the bench script reads alike.</summary>
internal sealed record Options(string Interface, int Rate, int PeriodSeconds, int WaitMs, long? MaxClients)
{
    // Transaction ids are 24 bits and each Solicit gets its own, so one run can tell at most this many apart.
    public const long MaxSolicits = 1 << 24;

    public const string Help = """
        pukeko-rapid-client: DHCPv6 Solicit-Reply load with Rapid Commit (RFC 8415 section 18.2.1), 2-way.

        Every Solicit is a new client (its own DUID-LLT and transaction id) asking for one IA_NA with Rapid Commit.
        It is sent from the interface's link-local address, UDP port 546, to ff02::1:2 port 547 out of that
        interface. Sending keeps to rate x elapsed time on a monotonic clock; a client that falls behind sends the
        due Solicits late, never skips them, and reports how far behind it ended (sending gives up at twice the
        period). Replies are counted until the wait after the last Solicit has passed.

        Usage: pukeko-rapid-client -l IFACE -r RATE [-p SECONDS] [-W MS] [-n CLIENTS]
          -l IFACE    interface to send on (needs a link-local address)
          -r RATE     Solicits per second
          -p SECONDS  sending period, default 10
          -W MS       wait for late replies after the last Solicit, in milliseconds (perfdhcp's -W is in
                      microseconds), default 1000
          -n CLIENTS  at most this many Solicits (clients), default rate x period; at most 16777216 in all
          -h, --help  this text

        Output: perfdhcp-style sections. "***Statistics for: SOLICIT-REPLY***" counts as received only Replies
        that complete the exchange: a Reply to one of our Solicits, for the client that sent it, with Rapid
        Commit and an IA_NA holding an IA Address with a non-zero valid lifetime. Advertises (the server did not
        commit), other answers, unmatched and malformed packets are counted on their own lines; "drops" are
        Solicits that got no answer at all. Delays are send to receive, of completed exchanges.
        Exit code 0 when the run happened, 1 when it could not start (no such interface, no socket), 2 on bad
        arguments.
        """;

    /// <summary>Parses the arguments; null with <paramref name="error"/> set (empty for --help) when there is no run.</summary>
    public static Options? Parse(string[] args, out string error)
    {
        string? iface = null;
        int rate = 0, period = 10, wait = 1000;
        long? max = null;
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (flag is "-h" or "--help") { error = ""; return null; }
            if (i + 1 >= args.Length) { error = $"{flag} needs a value"; return null; }
            var value = args[++i];
            switch (flag)
            {
                case "-l": iface = value; break;
                case "-r" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0: rate = r; break;
                case "-p" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0: period = p; break;
                case "-W" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w): wait = w; break;
                case "-n" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0: max = n; break;
                case "-l" or "-r" or "-p" or "-W" or "-n": error = $"bad value for {flag}: {value}"; return null;
                default: error = $"unknown argument {flag}"; return null;
            }
        }
        if (iface is null) { error = "-l IFACE is required"; return null; }
        if (rate == 0) { error = "-r RATE is required"; return null; }
        var options = new Options(iface, rate, period, wait, max);
        if (options.Solicits > MaxSolicits) { error = $"{options.Solicits} Solicits: one run can have at most {MaxSolicits} (24-bit transaction ids); lower -r, -p or -n"; return null; }
        error = "";
        return options;
    }

    /// <summary>How many Solicits the run sends: the schedule's, or fewer with -n.</summary>
    public long Solicits => Math.Min((long)Rate * PeriodSeconds, MaxClients ?? long.MaxValue);
}
