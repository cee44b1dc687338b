namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>What perfdhcp printed at the end of a run, parsed.</summary>
internal sealed record PerfdhcpReport(int ExitCode, string Output, PerfdhcpExchange SolicitAdvertise, PerfdhcpExchange RequestReply, double Rate);
