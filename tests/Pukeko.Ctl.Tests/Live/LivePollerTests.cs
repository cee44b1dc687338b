using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class LivePollerTests
{
    private static readonly CtlOptions Options = new() { Command = "top", SocketPath = "/run/test/ctrl" };

    private readonly FakeServer _server = new();
    private readonly FakeTimeProvider _time = new();

    private LivePoller Poller() => new(Options, _server.SendAsync, _time);

    [Fact]
    public async Task Labels_statistics_with_the_configuration_and_rates_from_the_second_poll()
    {
        _server.Statistics["pkt6-received"] = 10;
        _server.Statistics["subnet[1].total-nas"] = 256;
        _server.Statistics["subnet[1].assigned-nas"] = 3;
        var poller = Poller();

        var first = await poller.PollAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        _server.Statistics["pkt6-received"] = 30;
        var second = await poller.PollAsync(CancellationToken.None);

        Assert.Null(first.Error);
        Assert.Equal("subnet 1 2001:db8:1::/64", first.Frame!.Usage[0].Label);
        Assert.Equal("2001:db8:1::/120", first.Frame.Usage[1].Label);
        Assert.Null(first.Frame.Traffic[0].PerSecond);
        Assert.Equal(10.0, second.Frame!.Traffic.Single(t => t.Label == "received").PerSecond);
        Assert.Equal(new ServerStatus(4242, TimeSpan.FromSeconds(3700), TimeSpan.FromSeconds(10), false), second.Frame.Status);
    }

    [Fact]
    public async Task Asks_for_the_configuration_again_only_after_a_reload()
    {
        var poller = Poller();
        await poller.PollAsync(CancellationToken.None);
        _server.Reload = 12;
        await poller.PollAsync(CancellationToken.None);
        Assert.Equal(1, _server.Asked["config-get"]);

        _server.Reload = 1;
        _server.Config = """{"Dhcp6": {"subnet6": [{"id": 1, "subnet": "2001:db8:9::/64"}]}}""";
        _server.Statistics["subnet[1].total-nas"] = 1;
        var update = await poller.PollAsync(CancellationToken.None);

        Assert.Equal(2, _server.Asked["config-get"]);
        Assert.Equal("subnet 1 2001:db8:9::/64", update.Frame!.Usage[0].Label);
    }

    [Fact]
    public async Task A_server_that_goes_away_is_reported_and_the_last_frame_kept_until_it_answers_again()
    {
        _server.Statistics["pkt6-received"] = 5;
        var poller = Poller();
        var good = await poller.PollAsync(CancellationToken.None);

        _server.Down = true;
        var down = await poller.PollAsync(CancellationToken.None);
        Assert.Same(good.Frame, down.Frame);
        Assert.StartsWith("cannot reach /run/test/ctrl: ", down.Error, StringComparison.Ordinal);
        Assert.Equal(good.LastSuccess, down.LastSuccess);

        _server.Down = false;
        _time.Advance(TimeSpan.FromSeconds(2));
        var back = await poller.PollAsync(CancellationToken.None);
        Assert.Null(back.Error);

        // Counters from before the outage are not compared with those after (the server may have restarted).
        Assert.Null(back.Frame!.Traffic[0].PerSecond);
        Assert.Equal(2, _server.Asked["config-get"]);
    }

    [Fact]
    public async Task Answers_from_an_http_channel_come_in_a_list()
    {
        _server.AnswersInAList = true;
        _server.Statistics["subnet[1].total-nas"] = 256;
        var update = await Poller().PollAsync(CancellationToken.None);
        Assert.Null(update.Error);
        Assert.Equal("subnet 1 2001:db8:1::/64", update.Frame!.Usage[0].Label);
        Assert.Equal(4242, update.Frame.Status!.Pid);
    }

    [Fact]
    public async Task A_failed_statistics_command_is_reported_with_the_servers_reason()
    {
        var poller = new LivePoller(Options, (_, _) => Task.FromResult("""{"result": 2, "text": "'statistic-get-all' command not supported."}"""), _time);
        var update = await poller.PollAsync(CancellationToken.None);
        Assert.Null(update.Frame);
        Assert.Equal("/run/test/ctrl: statistic-get-all: 'statistic-get-all' command not supported.", update.Error);
    }

    [Fact]
    public async Task A_refused_config_get_leaves_subnets_labelled_by_id()
    {
        _server.RefusesConfigGet = true;
        _server.Statistics["subnet[1].total-nas"] = 256;
        var update = await Poller().PollAsync(CancellationToken.None);
        Assert.Null(update.Error);
        Assert.Equal("subnet 1", update.Frame!.Usage[0].Label);
    }

    [Fact]
    public async Task Cancellation_by_the_user_is_not_reported_as_an_error()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Poller().PollAsync(cancelled.Token));
    }

    [Fact]
    public async Task The_once_snapshot_is_plain_text_with_figures_bars_and_rates()
    {
        _server.Statistics["subnet[1].total-nas"] = 256;
        _server.Statistics["subnet[1].assigned-nas"] = 128;
        _server.Statistics["subnet[1].pool[0].total-nas"] = 256;
        _server.Statistics["subnet[1].pool[0].assigned-nas"] = 128;
        _server.Statistics["pkt6-received"] = 7;
        var poller = new LivePoller(Options, _server.SendAsync, TimeProvider.System);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await TopCommand.PrintOnceAsync(poller, Options with { Interval = TimeSpan.FromMilliseconds(100) }, output, error);

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Equal(2, _server.Asked["statistic-get-all"]);
        Assert.DoesNotContain("\u001b", text, StringComparison.Ordinal);
        Assert.Contains("pid 4242", text, StringComparison.Ordinal);
        var bar = Regex.Match(text, @"subnet 1 2001:db8:1::/64\s+NA\s+128\s+256\s+(#+)(\.+)\s+50\.0%\s+0");
        Assert.True(bar.Success, text);
        Assert.Equal(bar.Groups[1].Length, bar.Groups[2].Length);
        Assert.Matches(@"2001:db8:1::/120\s+NA\s+128\s+256", text);
        Assert.Matches(@"received\s+7\s+0\.0", text);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task The_once_snapshot_of_an_unreachable_server_is_an_error_and_exit_69()
    {
        _server.Down = true;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await TopCommand.PrintOnceAsync(Poller(), Options, output, error);

        Assert.Equal(AnswerPrinter.UnreachableExit, exit);
        Assert.Empty(output.ToString());
        Assert.StartsWith("pukeko-ctl: cannot reach /run/test/ctrl", error.ToString(), StringComparison.Ordinal);
    }
}
