namespace Pukeko.Server.Hosting;

/// <summary>
/// The texts <c>version-get</c> and <c>build-report</c> answer with. The daemon passes its own (the ones
/// <c>-v</c>, <c>-V</c> and <c>-W</c> print), so the server does not depend on the executable.
/// </summary>
internal sealed record ServerVersion(string Short, string Extended, string BuildReport)
{
    public static ServerVersion Unknown { get; } = new("unknown", "unknown", "unknown");
}
