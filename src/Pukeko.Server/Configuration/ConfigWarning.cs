namespace Pukeko.Server.Configuration;

/// <summary>A non-fatal configuration remark (e.g. a Kea key that is accepted but not implemented yet).</summary>
internal sealed record ConfigWarning(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
