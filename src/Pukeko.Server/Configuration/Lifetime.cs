namespace Pukeko.Server.Configuration;

/// <summary>
/// A lifetime with bounds, as Kea's <c>Triplet</c>: the configured value plus <c>min-</c>/<c>max-</c> limits
/// that constrain what a client may ask for.
/// </summary>
internal readonly record struct Lifetime(uint Min, uint Default, uint Max)
{
    /// <summary>A lifetime with no client latitude (min = default = max).</summary>
    public static Lifetime Fixed(uint value) => new(value, value, value);

    /// <summary>
    /// Picks the lifetime for a client hint: a zero hint means "no preference" and gets the default;
    /// other hints are clamped into [Min, Max].
    /// </summary>
    public uint Choose(uint hint)
    {
        if (hint == 0)
        {
            return Default;
        }

        if (hint < Min)
        {
            return Min;
        }

        return hint > Max ? Max : hint;
    }

    public override string ToString() => Min == Default && Default == Max ? $"{Default}" : $"{Default} [{Min}..{Max}]";
}
