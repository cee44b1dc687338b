namespace Pukeko.Server.Configuration;

/// <summary>A configuration error at a JSON path such as <c>Dhcp6/subnet6[2]/pools[0]/pool</c>.</summary>
internal sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
