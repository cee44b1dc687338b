namespace Pukeko.Server.Configuration;

/// <summary>
/// A configured option ready to be put on the wire. <paramref name="Data"/> is the payload only (no code/length header).
/// The array is shared and must not be modified; record equality compares it by reference.
/// <paramref name="ClientClasses"/> (option-data <c>client-classes</c>): when not empty, the option is only sent to
/// packets in at least one of these classes.
/// <paramref name="FormattedValue"/>: the text the data was encoded from (csv-format with a definition), kept because
/// Kea stores and shows an option by this text (a host database's <c>formatted_value</c>, host commands' <c>data</c>);
/// null when the data was given as hex.
/// <paramref name="UserContext"/>: the option-data's <c>user-context</c> map as JSON text, or null; not used in serving,
/// kept because a host database stores it (<c>dhcp6_options.user_context</c>).
/// </summary>
internal sealed record OptionDescriptor(
    ushort Code, string Space, string? Name, byte[] Data, bool AlwaysSend, bool NeverSend, IReadOnlyList<string>? ClientClasses = null,
    string? FormattedValue = null, string? UserContext = null);
