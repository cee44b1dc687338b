using Pukeko.Ctl.Live;
using Spectre.Console;

namespace Pukeko.Ctl;

/// <summary>
/// <c>pukeko-ctl top</c>: polls the server and redraws the live view in place until q or Ctrl-C; with
/// <c>--once</c>, or when standard output is not a terminal, prints one plain snapshot instead.
/// </summary>
internal static class TopCommand
{
    /// <summary>Plain snapshots are as wide as a wide terminal, so that pool ranges are not wrapped.</summary>
    private const int PlainWidth = 132;

    public static Task<int> RunAsync(CtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var poller = new LivePoller(options, CommandClient.SendAsync, TimeProvider.System);
        return options.Once || Console.IsOutputRedirected
            ? PrintOnceAsync(poller, options, Console.Out, Console.Error)
            : RunLiveAsync(poller, options);
    }

    /// <summary>Two polls one interval apart (rates need both), then the view as plain text.</summary>
    public static async Task<int> PrintOnceAsync(LivePoller poller, CtlOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(poller);
        ArgumentNullException.ThrowIfNull(options);
        var update = await poller.PollAsync(CancellationToken.None).ConfigureAwait(false);
        if (update.Frame is null)
        {
            await error.WriteLineAsync($"pukeko-ctl: {update.Error}").ConfigureAwait(false);
            return AnswerPrinter.UnreachableExit;
        }

        await Task.Delay(options.Interval).ConfigureAwait(false);
        update = await poller.PollAsync(CancellationToken.None).ConfigureAwait(false);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = PlainWidth;
        console.Profile.Capabilities.Unicode = false;
        console.Write(LiveRenderer.Render(update, poller.Target, options.Interval, unicode: false, interactive: false, PlainWidth));
        return update.Error is null ? 0 : AnswerPrinter.UnreachableExit;
    }

    private static async Task<int> RunLiveAsync(LivePoller poller, CtlOptions options)
    {
        using var stop = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            // Leave through the normal path, so the live display puts the cursor back.
            e.Cancel = true;
            stop.Cancel();
        }

        Console.CancelKeyPress += OnCancel;

        // Ctrl-C is read as a key, as top reads it: SIGINT may be ignored (a process started in the background by a
        // non-interactive shell inherits that), and then the terminal's Ctrl-C would do nothing.
        var readsKeys = !Console.IsInputRedirected;
        var treatedControlCAsInput = readsKeys && Console.TreatControlCAsInput;
        if (readsKeys)
        {
            Console.TreatControlCAsInput = true;
        }

        var keys = readsKeys ? Task.Run(() => ReadKeys(stop)) : Task.CompletedTask;
        try
        {
            var console = AnsiConsole.Console;
            var unicode = console.Profile.Capabilities.Unicode;
            var waiting = LiveRenderer.Render(new LiveUpdate(null, null, null), poller.Target, options.Interval, unicode, interactive: true, console.Profile.Width);
            await console.Live(waiting)
                .AutoClear(false)
                .Overflow(VerticalOverflow.Ellipsis)
                .Cropping(VerticalOverflowCropping.Bottom)
                .StartAsync(async context =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            var update = await poller.PollAsync(stop.Token).ConfigureAwait(false);
                            context.UpdateTarget(LiveRenderer.Render(update, poller.Target, options.Interval, unicode, interactive: true, console.Profile.Width));
                            context.Refresh();
                            await Task.Delay(options.Interval, stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (stop.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
            if (readsKeys)
            {
                Console.TreatControlCAsInput = treatedControlCAsInput;
            }

            await stop.CancelAsync().ConfigureAwait(false);

            // The key reader may sit in ReadKey waiting for the rest of an escape sequence; it is a pool thread, so
            // the process need not wait for it.
            await Task.WhenAny(keys, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>q, Escape or Ctrl-C quits; other keys are ignored.</summary>
    private static void ReadKeys(CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (!Console.KeyAvailable)
            {
                Thread.Sleep(50);
                continue;
            }

            var key = Console.ReadKey(intercept: true);
            // Ctrl-C arrives here as a key (TreatControlCAsInput): it quits like q.
            var controlC = key.KeyChar == '\u0003' || (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control));
            if (key.KeyChar is 'q' or 'Q' || key.Key == ConsoleKey.Escape || controlC)
            {
                stop.Cancel();
            }
        }
    }
}
