using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class LiveFormatTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(99_999, "99,999")]
    [InlineData(100_000, "100k")]
    [InlineData(1_234_567, "1.23M")]
    [InlineData(65_536_000_000, "65.5G")]
    [InlineData(long.MaxValue, "9.2E+")]
    public void Counts(long value, string text) => Assert.Equal(text, LiveFormat.Count(value));

    [Theory]
    [InlineData(null, "-")]
    [InlineData(0.0, "0.0%")]
    [InlineData(0.0004, "<0.1%")]
    [InlineData(0.25, "25.0%")]
    [InlineData(1.0, "100.0%")]
    public void Percentages(double? fraction, string text) => Assert.Equal(text, LiveFormat.Percent(fraction));

    [Theory]
    [InlineData(null, "-")]
    [InlineData(0.0, "0")]
    [InlineData(1.26, "+1.3")]
    [InlineData(-0.5, "-0.5")]
    public void Changes(double? perSecond, string text) => Assert.Equal(text, LiveFormat.Change(perSecond));

    [Theory]
    [InlineData(0.0, 0, "..........")]
    [InlineData(0.5, 128, "#####.....")]
    [InlineData(1.0, 256, "##########")]
    [InlineData(0.001, 1, "#.........")] // a pool in use never looks empty
    [InlineData(null, 0, "          ")]
    public void Bars(double? fraction, long assigned, string text) => Assert.Equal(text, LiveFormat.Bar(fraction, assigned, 10, unicode: false));

    [Fact]
    public void Bars_on_a_terminal_use_blocks() => Assert.Equal("██░░", LiveFormat.Bar(0.5, 2, 4, unicode: true));

    [Fact]
    public void Durations() => Assert.Equal(("0:01:05", "2d 03:00:00"), (LiveFormat.Duration(TimeSpan.FromSeconds(65)), LiveFormat.Duration(TimeSpan.FromHours(51))));
}
