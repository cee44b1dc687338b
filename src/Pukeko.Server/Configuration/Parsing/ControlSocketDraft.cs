namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One control socket map as read, before its type-specific checks.</summary>
internal sealed class ControlSocketDraft
{
    public ControlSocketConfig Config { get; set; } = new();

    public bool HasType { get; set; }

    public bool HasName { get; set; }

    public bool Valid { get; set; } = true;

    /// <summary>Read from the Kea 2.x single <c>control-socket</c> map rather than a <c>control-sockets</c> list item.</summary>
    public bool LegacyForm { get; set; }
}
