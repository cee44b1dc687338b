using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Pukeko.Server.Control.Channels;

/// <summary>
/// Kea's HTTP client (HA peers among others) names an IPv6 peer in the <c>Host</c> header without brackets
/// (<c>Host: 2001:db8:1::2</c>), which Kestrel rejects with a bodiless 400 that Kea reports as "no body found in the
/// response". This connection middleware puts the brackets around such a value before Kestrel parses the request
/// head; every other byte passes unchanged. Only a line that begins with <c>Host:</c> is touched: a JSON body cannot
/// contain one (it starts with a brace and holds no bare line breaks inside strings).
/// </summary>
internal static class BareIpv6HostRepair
{
    private static readonly byte[] HostPrefix = "host:"u8.ToArray();

    /// <summary>A line longer than this is passed on as it is rather than held back to see whether it is a Host line.</summary>
    private const int MaxHeldLine = 1024;

    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async context =>
    {
        var original = context.Transport;
        var repaired = new Pipe();
        var pump = PumpAsync(original.Input, repaired.Writer);
        context.Transport = new Transport(repaired.Reader, original.Output);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            // Kestrel closes its own transport once the connection ends; stop reading it first.
            original.Input.CancelPendingRead();
            await pump.ConfigureAwait(false);
            context.Transport = original;
        }
    };

    private static async Task PumpAsync(PipeReader source, PipeWriter target)
    {
        var held = new List<byte>();
        var atLineStart = false;
        try
        {
            while (true)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                var bytes = held.Count == 0 ? result.Buffer.ToArray() : [.. held, .. result.Buffer.ToArray()];
                source.AdvanceTo(result.Buffer.End);
                held.Clear();
                var output = Repair(bytes, ref atLineStart, held, flushAll: result.IsCompleted);
                if (output.Length > 0)
                {
                    var flush = await target.WriteAsync(output).ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            await target.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException or OperationCanceledException)
        {
            await target.CompleteAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The bytes to pass on for <paramref name="bytes"/>, with Host lines repaired; a trailing partial line that may
    /// still become a Host line goes to <paramref name="held"/> (unless <paramref name="flushAll"/>).
    /// <paramref name="atLineStart"/> says whether <paramref name="bytes"/> begins a line, and is updated for the next call.
    /// </summary>
    internal static byte[] Repair(ReadOnlySpan<byte> bytes, ref bool atLineStart, List<byte> held, bool flushAll)
    {
        var output = new ArrayBufferWriter<byte>(bytes.Length + 4);
        var position = 0;
        while (position < bytes.Length)
        {
            var end = bytes[position..].IndexOf((byte)'\n');
            var line = end < 0 ? bytes[position..] : bytes.Slice(position, end + 1);
            if (atLineStart && end < 0 && !flushAll && line.Length < MaxHeldLine && MayBeHostLine(line))
            {
                held.AddRange(line);
                return output.WrittenSpan.ToArray();
            }

            output.Write(atLineStart && end >= 0 && Repaired(line) is { } fixedLine ? fixedLine : line);
            atLineStart = end >= 0;
            position += line.Length;
        }

        return output.WrittenSpan.ToArray();
    }

    private static bool MayBeHostLine(ReadOnlySpan<byte> partial)
    {
        var compared = Math.Min(partial.Length, HostPrefix.Length);
        for (var i = 0; i < compared; i++)
        {
            if ((partial[i] | 0x20) != HostPrefix[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The line with its value in brackets when it is a Host header holding a bare IPv6 address; else null.</summary>
    private static byte[]? Repaired(ReadOnlySpan<byte> line)
    {
        if (line.Length <= HostPrefix.Length || !MayBeHostLine(line[..HostPrefix.Length]))
        {
            return null;
        }

        var value = Encoding.ASCII.GetString(line[HostPrefix.Length..]).Trim();
        if (value.StartsWith('[') || !IPAddress.TryParse(value, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        return Encoding.ASCII.GetBytes($"Host: [{value}]\r\n");
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
