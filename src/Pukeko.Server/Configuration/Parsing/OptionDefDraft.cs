namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>option-def</c> entry as read.</summary>
internal sealed class OptionDefDraft
{
    public string? Name { get; set; }

    public ushort? Code { get; set; }

    public string? Type { get; set; }

    public bool Array { get; set; }

    public string RecordTypes { get; set; } = "";

    public string Space { get; set; } = "dhcp6";

    public string Encapsulate { get; set; } = "";
}
