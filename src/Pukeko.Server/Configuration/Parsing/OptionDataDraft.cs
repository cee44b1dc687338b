namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>option-data</c> entry as read, before its definition is looked up and its data encoded.</summary>
internal sealed class OptionDataDraft
{
    public string? Name { get; set; }

    public ushort? Code { get; set; }

    public string? CodePath { get; set; }

    public string Space { get; set; } = "dhcp6";

    public string Data { get; set; } = "";

    public string? DataPath { get; set; }

    public bool CsvFormat { get; set; } = true;

    public bool CsvFormatGiven { get; set; }

    public bool AlwaysSend { get; set; }

    public bool NeverSend { get; set; }

    public IReadOnlyList<string> ClientClasses { get; set; } = [];

    public string? UserContext { get; set; }
}
