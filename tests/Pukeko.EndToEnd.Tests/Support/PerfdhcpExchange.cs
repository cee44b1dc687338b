namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>One half of perfdhcp's SARR report: Solicit-Advertise or Request-Reply.</summary>
internal sealed record PerfdhcpExchange(long Sent, long Received, long Drops)
{
    public double DropRatio => Sent == 0 ? 1 : (double)Drops / Sent;
}
