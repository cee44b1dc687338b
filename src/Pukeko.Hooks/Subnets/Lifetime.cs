namespace Pukeko.Hooks.Subnets;

/// <summary>A configured lifetime with the bounds a client's hint is clamped to (Kea's <c>Triplet</c>: <c>min-</c>, plain and <c>max-</c> keys).</summary>
/// <param name="Min">The least a client may get.</param>
/// <param name="Default">What a client that asks for nothing gets.</param>
/// <param name="Max">The most a client may get.</param>
public readonly record struct Lifetime(uint Min, uint Default, uint Max);
