using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Tests.Options;

public class OptionCollectionTests
{
    private static OptionCollection ThreeIasAndAPreference()
    {
        var options = new OptionCollection();
        options.Add(new IaNaOption(1, 0, 0));
        options.Add(new PreferenceOption(5));
        options.Add(new IaNaOption(2, 0, 0));
        options.Add(new IaNaOption(3, 0, 0));
        return options;
    }

    [Fact]
    public void GetReturnsTheFirstOptionWithTheCode()
    {
        var options = ThreeIasAndAPreference();

        Assert.Equal(1u, options.Get<IaNaOption>(OptionCode.IaNa)!.Iaid);
        Assert.Null(options.Get(OptionCode.IaPd));
    }

    [Fact]
    public void GetOfTypeReturnsNullWhenTheOptionHasAnotherClass()
    {
        var options = new OptionCollection { new RawOption(OptionCode.Preference, [1]) };

        Assert.Null(options.Get<PreferenceOption>(OptionCode.Preference));
        Assert.NotNull(options.Get<RawOption>(OptionCode.Preference));
    }

    [Fact]
    public void DuplicatesAreKeptInOrderAndCounted()
    {
        var options = ThreeIasAndAPreference();

        Assert.Equal([1u, 2u, 3u], options.GetAll(OptionCode.IaNa).Cast<IaNaOption>().Select(ia => ia.Iaid));
        Assert.Equal(3, options.CountOf(OptionCode.IaNa));
        Assert.True(options.Contains(OptionCode.Preference));
        Assert.Equal(4, options.Count);
    }

    [Fact]
    public void RemoveAllRemovesOnlyThatCodeAndReportsHowMany()
    {
        var options = ThreeIasAndAPreference();

        Assert.Equal(3, options.RemoveAll(OptionCode.IaNa));
        Assert.Equal(OptionCode.Preference, Assert.Single(options).Code);
    }

    [Fact]
    public void ReplacePutsTheNewOptionAtTheOldPosition()
    {
        var options = ThreeIasAndAPreference();
        var preference = options[1];

        options.Replace(preference, new PreferenceOption(255));

        Assert.Equal(255, ((PreferenceOption)options[1]).Value);
        Assert.Throws<ArgumentException>(() => options.Replace(preference, new PreferenceOption(1)));
    }

    [Fact]
    public void DataLengthIsTheSumOfTotalLengthsAndMatchesWriteTo()
    {
        var options = ThreeIasAndAPreference();
        var buffer = new byte[100];

        Assert.Equal((3 * 16) + 5, options.DataLength);
        Assert.Equal(options.DataLength, options.WriteTo(buffer));
    }

    [Fact]
    public void StructEnumeratorVisitsEveryOptionInOrder()
    {
        var options = ThreeIasAndAPreference();
        var codes = new List<ushort>();
        foreach (var option in options)
        {
            codes.Add(option.Code);
        }

        Assert.Equal([OptionCode.IaNa, OptionCode.Preference, OptionCode.IaNa, OptionCode.IaNa], codes);
    }

    [Fact]
    public void ClearEmptiesTheCollection()
    {
        var options = ThreeIasAndAPreference();

        options.Clear();

        Assert.Equal(0, options.Count);
        Assert.Equal(0, options.DataLength);
    }

    [Fact]
    public void CloneOfAnIaIsDeep()
    {
        var ia = new IaNaOption(1, 2, 3);
        ia.Options.Add(new StatusCodeOption(StatusCode.NoAddrsAvail, "none"));

        var copy = (IaNaOption)ia.Clone();
        ((StatusCodeOption)copy.Options[0]).Message = "changed";
        copy.Options.Add(new PreferenceOption(1));

        Assert.Equal("none", ((StatusCodeOption)ia.Options[0]).Message);
        Assert.Equal(1, ia.Options.Count);
    }

    [Fact]
    public void InsertAndRemoveKeepTheOrderAcrossGrowth()
    {
        var options = new OptionCollection();
        for (byte i = 0; i < 9; i++)
        {
            options.Add(new RawOption(1000, [i]));
        }

        options.Insert(0, new RawOption(OptionCode.Preference, [100]));
        options.Insert(10, new RawOption(OptionCode.Preference, [101]));
        options.Insert(5, new RawOption(OptionCode.Preference, [102]));
        options.RemoveAt(1);
        Assert.True(options.Remove(options[3]));

        Assert.Equal([100, 1, 2, 102, 4, 5, 6, 7, 8, 101], options.Select(o => (int)((RawOption)o).Data[0]));
        Assert.Equal(3, options.RemoveAll(OptionCode.Preference));
        Assert.Equal([1, 2, 4, 5, 6, 7, 8], options.Select(o => (int)((RawOption)o).Data[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => options[7]);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Insert(8, new RawOption(1, [])));
    }

    [Fact]
    public void DecodingSizesTheCollectionAndStopsAtAMalformedOption()
    {
        // Two options, then a header whose length runs past the end.
        byte[] wire = [0, 7, 0, 1, 5, 0, 8, 0, 2, 0, 1, 0, 23, 0, 9, 1];
        var options = new OptionCollection();
        Assert.Equal(Pukeko.Protocol.Messages.ParseStatus.OptionLengthPastEnd, OptionDecoder.TryDecodeAll(wire, options));
        Assert.Equal(2, options.Count);
        Assert.Equal(OptionCode.ElapsedTime, options[1].Code);
    }
}
