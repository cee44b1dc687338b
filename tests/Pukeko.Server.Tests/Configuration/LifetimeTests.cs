using CsCheck;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Tests.Configuration;

public sealed class LifetimeTests
{
    [Theory]
    [InlineData(0u, 200u)]
    [InlineData(1u, 100u)]
    [InlineData(100u, 100u)]
    [InlineData(150u, 150u)]
    [InlineData(300u, 300u)]
    [InlineData(301u, 300u)]
    [InlineData(uint.MaxValue, 300u)]
    public void ChooseClampsHints(uint hint, uint expected) =>
        Assert.Equal(expected, new Lifetime(100, 200, 300).Choose(hint));

    [Fact]
    public void FixedLifetimeIgnoresHints() =>
        Gen.UInt.Sample(hint => Assert.Equal(7200u, Lifetime.Fixed(7200).Choose(hint)));

    [Fact]
    public void ChooseAlwaysLandsInsideTheBounds() =>
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UInt, Gen.UInt).Sample((a, b, c, hint) =>
        {
            uint[] sorted = [a, b, c];
            Array.Sort(sorted);
            var lifetime = new Lifetime(sorted[0], sorted[1], sorted[2]);
            var chosen = lifetime.Choose(hint);
            Assert.InRange(chosen, lifetime.Min, lifetime.Max);
            if (hint == 0)
            {
                Assert.Equal(lifetime.Default, chosen);
            }
            else if (hint >= lifetime.Min && hint <= lifetime.Max)
            {
                Assert.Equal(hint, chosen);
            }
        });
}
