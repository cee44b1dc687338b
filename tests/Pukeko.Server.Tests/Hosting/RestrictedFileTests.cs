using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Identity;

namespace Pukeko.Server.Tests.Hosting;

/// <summary>Files the server creates are mode 0640, as Kea 3.x makes them (issue 13).</summary>
[SupportedOSPlatform("linux")]
public sealed class RestrictedFileTests : IDisposable
{
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-restricted-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_server_id_file_is_created_0640_and_read_back()
    {
        var config = new ServerIdConfig(DuidKind.Llt, Persist: true, HardwareType: 1, Identifier: [2, 0, 0, 0, 0, 1], Time: 1000, EnterpriseId: null);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(40));
        var first = ServerIdentity.LoadOrCreate(config, _directory, time, NullLogger.Instance);
        var path = Path.Combine(_directory, ServerIdentity.FileName);
        Assert.Equal(Mode0640, File.GetUnixFileMode(path));
        Assert.Equal(first, ServerIdentity.LoadOrCreate(config, _directory, time, NullLogger.Instance));
    }

    [Fact]
    public void Writing_and_replacing_give_0640_even_over_an_older_looser_file()
    {
        var path = Path.Combine(_directory, "out.json");
        RestrictedFile.WriteAllText(path, "one");
        Assert.Equal(Mode0640, File.GetUnixFileMode(path));

        File.WriteAllText(path + ".tmp", "stale");
        File.SetUnixFileMode(path + ".tmp", Mode0640 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        RestrictedFile.Replace(path, "two"u8);
        Assert.Equal(("two", Mode0640), (File.ReadAllText(path), File.GetUnixFileMode(path)));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
