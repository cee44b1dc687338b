namespace Pukeko.Server.Hooks;

/// <summary>Kea's argument directions: what the server does with an argument after the callouts.</summary>
internal enum ArgumentDirection
{
    /// <summary>Passed to callouts; anything they set is ignored.</summary>
    In,

    /// <summary>Callouts are expected to set it; the server reads it.</summary>
    Out,

    /// <summary>Passed to callouts and read back (a callout may replace or modify it).</summary>
    InOut,
}
