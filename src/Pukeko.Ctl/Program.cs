using System.Net.Http;
using System.Net.Sockets;
using Pukeko.Ctl;

// pukeko-ctl: one Kea control command to a running pukeko-dhcp6 (or kea-dhcp6), answer pretty-printed.
var parsed = CtlCommandLine.Parse(args, Environment.GetEnvironmentVariable, Console.In);
if (parsed.HelpRequested)
{
    Console.WriteLine(CtlCommandLine.Usage);
    return 0;
}

if (parsed.Options is not { } options)
{
    Console.Error.WriteLine($"pukeko-ctl: {parsed.Error}");
    Console.Error.WriteLine(CtlCommandLine.Usage);
    return AnswerPrinter.UsageExit;
}

if (options.Command == CtlCommandLine.TopCommand)
{
    return await TopCommand.RunAsync(options).ConfigureAwait(false);
}

string answer;
try
{
    answer = await CommandClient.SendAsync(options, CancellationToken.None).ConfigureAwait(false);
}
catch (Exception ex) when (ex is SocketException or HttpRequestException or IOException or OperationCanceledException)
{
    var target = options.Url?.ToString() ?? options.SocketPath;
    Console.Error.WriteLine($"pukeko-ctl: cannot reach {target}: {(ex is OperationCanceledException ? "timed out" : ex.Message)}");
    return AnswerPrinter.UnreachableExit;
}

var (text, exitCode) = AnswerPrinter.Format(answer, options.Raw);
Console.WriteLine(text);
return exitCode;
