namespace Pukeko.Server.Hosting;

/// <summary>What the command line decides: the config file and the ports (<c>-c</c>, <c>-p</c>, <c>-P</c>).</summary>
internal sealed record ServerOptions(string ConfigFile, ushort ServerPort = 547, ushort ClientPort = 546)
{
    /// <summary>Texts for <c>version-get</c> and <c>build-report</c>.</summary>
    public ServerVersion Version { get; init; } = ServerVersion.Unknown;
}
