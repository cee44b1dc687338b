using System.Collections;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks;

/// <summary>
/// Configured options as a callout sees them: every read returns a fresh copy, so editing it changes nothing the
/// server sends (the copy-on-retrieve rule of packets, applied to configuration).
/// </summary>
internal sealed class OptionCopies(IReadOnlyList<DhcpOption> options) : IReadOnlyList<DhcpOption>
{
    public static OptionCopies Empty { get; } = new([]);

    public int Count => options.Count;

    public DhcpOption this[int index] => options[index].Clone();

    public IEnumerator<DhcpOption> GetEnumerator()
    {
        foreach (var option in options)
        {
            yield return option.Clone();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static IReadOnlyList<DhcpOption> Of(IReadOnlyList<DhcpOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options is OptionCopies copies ? copies : options.Count == 0 ? Empty : new OptionCopies([.. options]);
    }
}
