using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary><c>pukeko-callout-budget-ms</c>: Pukeko's per-callout time budget beside a library's <c>parameters</c>.</summary>
public sealed class CalloutBudgetConfigTests
{
    private static string Entry(string budget) =>
        Dhcp6($$"""
        "hooks-libraries": [ { "library": "/opt/lib/custom.dll", "parameters": { "pukeko-callout-budget-ms": "theirs" }, "pukeko-callout-budget-ms": {{budget}} } ]
        """);

    [Fact]
    public void The_budget_is_read_in_milliseconds_and_the_librarys_own_parameters_are_left_alone()
    {
        var library = Assert.Single(LoadOk(Entry("250")).HooksLibraries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), library.CalloutBudget);
        Assert.Equal("theirs", library.Parameters!.Value.GetProperty("pukeko-callout-budget-ms").GetString());
    }

    [Fact]
    public void Without_the_key_there_is_no_budget_as_in_Kea() =>
        Assert.Null(Assert.Single(LoadOk(Dhcp6("""
        "hooks-libraries": [ { "library": "/opt/lib/custom.dll" } ]
        """)).HooksLibraries).CalloutBudget);

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("\"100\"")]
    [InlineData("86400001")]
    public void A_bad_budget_is_an_error_at_its_json_path(string budget) =>
        LoadFails(Entry(budget), "Dhcp6/hooks-libraries[0]/pukeko-callout-budget-ms", "integer number of milliseconds");
}
