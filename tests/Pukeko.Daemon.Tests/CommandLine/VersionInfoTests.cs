using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Pukeko.Daemon.CommandLine;

namespace Pukeko.Daemon.Tests.CommandLine;

public sealed class VersionInfoTests
{
    [Fact]
    public void Short_version_is_the_product_version_without_build_metadata()
    {
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"), VersionInfo.Short);
        Assert.Equal("0.1.0", VersionInfo.Short);
        Assert.StartsWith(VersionInfo.Short, VersionInfo.Informational, StringComparison.Ordinal);
    }

    [Fact]
    public void Extended_version_names_pukeko_and_the_runtime()
    {
        string text = VersionInfo.Extended;
        Assert.StartsWith(VersionInfo.Short + " (Pukeko", text, StringComparison.Ordinal);
        Assert.Contains(RuntimeInformation.FrameworkDescription, text, StringComparison.Ordinal);
        Assert.Contains("Memfile", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_report_lists_the_configuration()
    {
        string text = VersionInfo.BuildReport;
        Assert.Contains("Pukeko", text, StringComparison.Ordinal);
        Assert.Contains(VersionInfo.Short, text, StringComparison.Ordinal);
        Assert.Contains("memfile", text, StringComparison.Ordinal);
        Assert.Contains(".NET assemblies", text, StringComparison.Ordinal);
        Assert.Contains(RuntimeInformation.FrameworkDescription, text, StringComparison.Ordinal);
        Assert.False(text.EndsWith('\n'));
    }
}
