namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// The <c>X</c>, <c>min-X</c>, <c>max-X</c> keys of one lifetime at one level (global or subnet), as read.
/// Kea treats the three as one unit: a level that sets any of them defines the whole lifetime, otherwise the
/// lifetime is inherited from the level above.
/// </summary>
internal sealed class TripletDraft(string name)
{
    public string Name { get; } = name;

    public uint? Value { get; set; }

    public uint? Min { get; set; }

    public uint? Max { get; set; }

    public string? ValuePath { get; set; }

    public string? MinPath { get; set; }

    public string? MaxPath { get; set; }

    public bool IsSpecified => Value.HasValue || Min.HasValue || Max.HasValue;

    /// <summary>
    /// Completes the triplet and checks min ≤ default ≤ max. A missing bound takes the default's value (so without
    /// bounds client hints are ignored); when only bounds are given the default is the lower bound (or the upper one
    /// when only that is given). Returns null when nothing is set or the values are inconsistent (error reported).
    /// </summary>
    public Lifetime? Resolve(ParseContext context)
    {
        if (!IsSpecified)
        {
            return null;
        }

        var value = Value ?? Min ?? Max!.Value;
        var min = Min ?? value;
        var max = Max ?? value;
        var ok = true;
        if (min > value)
        {
            context.Error(MinPath ?? ValuePath!, $"min-{Name} ({min}) must not be greater than {Name} ({value})");
            ok = false;
        }

        if (value > max)
        {
            context.Error(MaxPath ?? ValuePath!, $"{Name} ({value}) must not be greater than max-{Name} ({max})");
            ok = false;
        }

        if (ok && min > max)
        {
            context.Error(MinPath ?? MaxPath!, $"min-{Name} ({min}) must not be greater than max-{Name} ({max})");
            ok = false;
        }

        return ok ? new Lifetime(min, value, max) : null;
    }
}
