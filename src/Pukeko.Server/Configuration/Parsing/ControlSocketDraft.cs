namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One control socket map as read, before its type-specific checks.</summary>
internal sealed class ControlSocketDraft
{
    public ControlSocketConfig Config { get; set; } = new();

    public bool HasType { get; set; }

    public bool HasName { get; set; }

    public bool Valid { get; set; } = true;
}
