namespace Pukeko.Server.Configuration;

/// <summary>A non-fatal configuration remark (e.g. a Kea key that is accepted but not implemented yet).</summary>
/// <param name="MessageId">Kea's message id for this warning where Kea has one (e.g. a path security warning); null means the generic one.</param>
internal sealed record ConfigWarning(string Path, string Message, string? MessageId = null)
{
    /// <summary>The id warnings without one of their own are logged with.</summary>
    public const string DefaultMessageId = "DHCP6_CONFIG_UNSUPPORTED_OBJECT";

    /// <summary>The message id to log this warning with.</summary>
    public string LogId => MessageId ?? DefaultMessageId;

    public override string ToString() => $"{Path}: {Message}";
}
